package org.xen2kvm.batch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.xen2kvm.config.ConfigParseException;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xva.XvaArchive;

/**
 * Finds the Xen guest definitions among files and folders (a copy of {@code /etc/xen}, say):
 * xl/xm configs, SXP, libvirt XML and {@code .xva} exports. What is not a definition is left
 * out with its reason: editor backups and package leftovers by name, everything else by
 * content (xend-config.sxp, xl.conf, scripts, READMEs, binaries). Links to a file already seen
 * ({@code /etc/xen/auto/NAME} beside {@code /etc/xen/NAME}) count once.
 *
 * <p>A file that looks like a definition but does not read is a candidate all the same: the
 * plan lists it as failed, so nothing on the host is silently left out.
 */
public final class DefinitionScanner {
    /** A folder tree deeper than this is not a Xen config folder. */
    static final int MAX_DEPTH = 8;
    /** Bounds the walk of a mistaken source ({@code /}). */
    static final int MAX_FILES = 100_000;
    static final int HEAD_BYTES = 64 * 1024;

    /** Editor backups and files a package manager left beside a config it did not overwrite. */
    private static final Pattern BACKUP = Pattern.compile(
            ".*~|\\..*\\.sw[a-z]|.*\\.sw[pox]|#.*#|\\.#.*|.*\\.(orig|rej|bak|old|save|tmp)"
                    + "|.*\\.(rpmsave|rpmnew|rpmorig)|.*\\.dpkg-[a-z]+|.*\\.ucf-[a-z]+");
    /** The examples Xen installs in /etc/xen ({@code xmexample1}, {@code xlexample.hvm}). */
    private static final Pattern EXAMPLE = Pattern.compile("(xm|xl)example.*");
    /** An xl/xm guest config sets its name or its disks; xl.conf and scripts set neither. */
    private static final Pattern XL_GUEST_KEY = Pattern.compile("(?m)^[ \\t]*(name|disk)[ \\t]*=");
    private static final Pattern SXP_DOMAIN = Pattern.compile("\\A\\(\\s*(domain|vm)[\\s()]");

    /** A definition to read, with the format the scan saw. */
    public record Candidate(Path file, ConfigFormat format) {
    }

    public record Result(List<Candidate> candidates, List<SkippedFile> skipped) {
    }

    private DefinitionScanner() {
    }

    /**
     * Scans {@code sources} (files or folders, walked recursively).
     *
     * @throws IOException when a source does not exist or a folder cannot be listed
     */
    public static Result scan(List<Path> sources) throws IOException {
        List<Path> files = new ArrayList<>();
        List<SkippedFile> skipped = new ArrayList<>();
        for (Path source : sources) {
            if (!Files.exists(source)) {
                throw new java.nio.file.NoSuchFileException(source.toString());
            }
            if (Files.isDirectory(source)) {
                try (Stream<Path> walk = Files.walk(source, MAX_DEPTH)) {
                    walk.filter(p -> !Files.isDirectory(p)).sorted().forEach(p -> {
                        if (files.size() >= MAX_FILES) {
                            throw new IllegalArgumentException(source + ": more than " + MAX_FILES
                                    + " files; give the folder of the Xen configs (e.g. a copy of /etc/xen)");
                        }
                        files.add(p);
                    });
                }
            } else {
                files.add(source);
            }
        }
        // One entry per real file: the file itself wins over links to it (auto/ start links).
        Map<Path, Path> byReal = new LinkedHashMap<>();
        List<Path> ordered = new ArrayList<>(files);
        ordered.sort(Comparator.comparing((Path p) -> Files.isSymbolicLink(p)));
        for (Path p : ordered) {
            Path real;
            try {
                real = p.toRealPath();
            } catch (IOException e) {
                skipped.add(new SkippedFile(p.toAbsolutePath().toString(), "a dangling link"));
                continue;
            }
            Path first = byReal.putIfAbsent(real, p);
            if (first != null) {
                skipped.add(new SkippedFile(p.toAbsolutePath().toString(), "the same file as " + first.toAbsolutePath()));
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        for (Path p : byReal.values().stream().sorted().toList()) {
            String reason = skipReasonByName(p);
            ConfigFormat format = null;
            if (reason == null) {
                try {
                    Sniffed sniffed = sniff(p);
                    format = sniffed.format();
                    reason = sniffed.skipReason();
                } catch (IOException e) {
                    // Unreadable: a candidate, so the plan shows it as failed with the error.
                    format = ConfigFormat.XL;
                }
            }
            if (reason != null) {
                skipped.add(new SkippedFile(p.toAbsolutePath().toString(), reason));
            } else if (Files.isRegularFile(p)) {
                candidates.add(new Candidate(p, format));
            } else {
                skipped.add(new SkippedFile(p.toAbsolutePath().toString(), "not a regular file"));
            }
        }
        return new Result(candidates, skipped);
    }

    /** Why a file is left out by its name alone, or null. */
    static String skipReasonByName(Path p) {
        String name = p.getFileName().toString();
        if (BACKUP.matcher(name).matches()) {
            return "an editor backup or package manager leftover";
        }
        if (EXAMPLE.matcher(name).matches()) {
            return "an example config shipped with Xen";
        }
        if (name.endsWith(".sh")) {
            return "a shell script";
        }
        if (name.startsWith(".")) {
            return "a hidden file";
        }
        return null;
    }

    /** What a file's content says it is: a definition's format, or why it is none. */
    record Sniffed(ConfigFormat format, String skipReason) {
    }

    /** The format of a definition by its content, or the reason it is no definition. */
    static Sniffed sniff(Path p) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(p)) {
            head = in.readNBytes(HEAD_BYTES);
        }
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (head.length == 0) {
            return skip("an empty file");
        }
        if (XvaArchive.archiveCompression(head).isPresent()) {
            return name.endsWith(".xva") ? is(ConfigFormat.XVA) : skip("an archive not named .xva");
        }
        for (byte b : head) {
            if (b == 0) {
                return skip("a binary file");
            }
        }
        String text = new String(head, StandardCharsets.UTF_8);
        if (text.startsWith("#!")) {
            return skip("a script");
        }
        String body = stripComments(text);
        if (body.isEmpty()) {
            return skip("only comments");
        }
        char c = body.charAt(0);
        if (c == '<') {
            try {
                return is(GuestDefinitionReader.detect(p, head));
            } catch (ConfigParseException e) {
                return skip("XML that is not a libvirt domain or an XVA's ova.xml");
            }
        }
        if (c == '(') {
            return SXP_DOMAIN.matcher(body).find() ? is(ConfigFormat.SXP)
                    : skip("SXP that is not a domain (xend-config.sxp and the like)");
        }
        if (c == '{' || c == '[') {
            return skip("JSON, not a guest definition");
        }
        return XL_GUEST_KEY.matcher(text).find() ? is(ConfigFormat.XL)
                : skip("sets no name or disk: not a guest config (xl.conf, a README and the like)");
    }

    private static Sniffed skip(String reason) {
        return new Sniffed(null, reason);
    }

    private static Sniffed is(ConfigFormat format) {
        return new Sniffed(format, null);
    }

    /** The text from its first character that is not blank or in a {@code #} comment. */
    private static String stripComments(String text) {
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(c)) {
                i++;
            } else {
                break;
            }
        }
        return text.substring(i);
    }
}
