package org.xen2kvm.pkg;

import static org.xen2kvm.pkg.RpmFormat.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An RPM package file: the 96-byte lead, the signature header (padded to 8 bytes), the main
 * header, then the cpio payload compressed as PAYLOADCOMPRESSOR says. Metadata and the file
 * list (with modes, owners by name and symlink targets) come from the main header; the
 * payload is streamed when {@link #entries()} is called. Signatures and digests are not
 * checked: the user chose the file.
 */
public final class RpmPackage implements PackageArchive {
    private final Path file;
    private final PackageMetadata metadata;
    private final Map<String, RpmFile> files;
    private final long payloadOffset;
    private final PayloadCompression compression;

    private RpmPackage(Path file, PackageMetadata metadata, Map<String, RpmFile> files, long payloadOffset,
                       PayloadCompression compression) {
        this.file = file;
        this.metadata = metadata;
        this.files = files;
        this.payloadOffset = payloadOffset;
        this.compression = compression;
    }

    /** True when {@code head} starts with the RPM lead magic. */
    static boolean hasMagic(byte[] head) {
        return head.length >= LEAD_MAGIC.length && Arrays.equals(head, 0, LEAD_MAGIC.length, LEAD_MAGIC, 0, LEAD_MAGIC.length);
    }

    /**
     * Reads lead, signature header and main header.
     *
     * @throws PackageFormatException for anything that is not a well-formed binary RPM
     */
    public static RpmPackage open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < LEAD_SIZE) {
                throw new PackageFormatException(file, 0, "file of " + ch.size() + " bytes is shorter than the 96-byte RPM lead");
            }
            byte[] lead = ArArchive.read(file, ch, 0, LEAD_SIZE, "lead");
            if (!hasMagic(lead)) {
                throw new PackageFormatException(file, 0, "no RPM lead magic ed ab ee db");
            }
            int sigType = ByteBuffer.wrap(lead).getShort(LEAD_SIGNATURE_TYPE);
            if (sigType != SIGTYPE_HEADERSIG) {
                throw new PackageFormatException(file, LEAD_SIGNATURE_TYPE, "signature type " + sigType
                        + " in the lead; only header-style signatures (5, rpm 3 and later) are supported");
            }
            RpmHeader sig = RpmHeader.read(file, ch, LEAD_SIZE, "signature header");
            long mainStart = sig.end() + (SIGNATURE_ALIGN - sig.end() % SIGNATURE_ALIGN) % SIGNATURE_ALIGN;
            RpmHeader h = RpmHeader.read(file, ch, mainStart, "header");
            PackageMetadata metadata = metadata(file, h);
            Map<String, RpmFile> files = files(file, h);
            String format = h.string(TAG_PAYLOADFORMAT).orElse("cpio");
            if (!format.equals("cpio")) {
                throw new PackageFormatException(file, h.where(TAG_PAYLOADFORMAT), "payload format '" + format
                        + "' is not supported (only cpio; a delta rpm must be applied first)");
            }
            String compressor = h.string(TAG_PAYLOADCOMPRESSOR).orElse("gzip");
            PayloadCompression c = PayloadCompression.byRpmName(compressor).orElseThrow(() -> new PackageFormatException(file,
                    h.where(TAG_PAYLOADCOMPRESSOR), "payload compressor '" + compressor
                    + "' is not supported (gzip, bzip2, xz, lzma, zstd)"));
            return new RpmPackage(file, metadata, files, h.end(), c);
        }
    }

    private static PackageMetadata metadata(Path file, RpmHeader h) throws PackageFormatException {
        String name = required(file, h, TAG_NAME);
        String version = required(file, h, TAG_VERSION);
        String release = required(file, h, TAG_RELEASE);
        long[] epoch = h.numbers(TAG_EPOCH);
        String evr = (epoch.length > 0 ? epoch[0] + ":" : "") + version + "-" + release;
        String arch = required(file, h, TAG_ARCH);
        List<String> reqNames = h.stringArray(TAG_REQUIRENAME);
        long[] reqFlags = h.numbers(TAG_REQUIREFLAGS);
        List<String> reqVersions = h.stringArray(TAG_REQUIREVERSION);
        if (reqFlags.length != reqNames.size() || reqVersions.size() != reqNames.size()) {
            throw new PackageFormatException(file, h.where(TAG_REQUIRENAME), reqNames.size() + " requirements but "
                    + reqFlags.length + " flags and " + reqVersions.size() + " versions");
        }
        List<Dependency> depends = new ArrayList<>();
        for (int i = 0; i < reqNames.size(); i++) {
            int flags = (int) reqFlags[i];
            String n = reqNames.get(i);
            if ((flags & SENSE_RPMLIB) != 0 || n.startsWith("rpmlib(")) {
                continue; // a feature of rpm itself, which xen2kvm plays the part of
            }
            String op = operator(flags);
            String v = reqVersions.get(i);
            Relation r = op.isEmpty() || v.isEmpty() ? new Relation(n, "", "") : new Relation(n, op, v);
            Dependency d = new Dependency(List.of(r));
            if (!depends.contains(d)) {
                depends.add(d);
            }
        }
        List<String> scripts = new ArrayList<>();
        int[] scriptTags = {TAG_PRETRANS, TAG_PREIN, TAG_POSTIN, TAG_PREUN, TAG_POSTUN, TAG_POSTTRANS};
        String[] scriptNames = {"%pretrans", "%pre", "%post", "%preun", "%postun", "%posttrans"};
        for (int i = 0; i < scriptTags.length; i++) {
            if (h.has(scriptTags[i])) {
                scripts.add(scriptNames[i]);
            }
        }
        return new PackageMetadata(PackageFormat.RPM, name, evr, arch, depends, h.stringArray(TAG_PROVIDENAME), scripts);
    }

    private static String operator(int flags) {
        return switch (flags & (SENSE_LESS | SENSE_GREATER | SENSE_EQUAL)) {
            case SENSE_LESS -> "<";
            case SENSE_GREATER -> ">";
            case SENSE_EQUAL -> "=";
            case SENSE_LESS | SENSE_EQUAL -> "<=";
            case SENSE_GREATER | SENSE_EQUAL -> ">=";
            default -> "";
        };
    }

    private static String required(Path file, RpmHeader h, int tag) throws PackageFormatException {
        String v = h.string(tag).orElse("");
        if (v.isEmpty()) {
            throw new PackageFormatException(file, h.where(tag), "required tag is missing or empty");
        }
        return v;
    }

    /** The header's file list, by normalized path, in header order. */
    private static Map<String, RpmFile> files(Path file, RpmHeader h) throws PackageFormatException {
        List<String> paths = new ArrayList<>();
        if (h.has(TAG_BASENAMES)) {
            List<String> base = h.stringArray(TAG_BASENAMES);
            List<String> dirs = h.stringArray(TAG_DIRNAMES);
            long[] idx = h.numbers(TAG_DIRINDEXES);
            if (idx.length != base.size()) {
                throw new PackageFormatException(file, h.where(TAG_DIRINDEXES), idx.length + " directory indexes for "
                        + base.size() + " base names");
            }
            for (int i = 0; i < base.size(); i++) {
                if (idx[i] < 0 || idx[i] >= dirs.size()) {
                    throw new PackageFormatException(file, h.where(TAG_DIRINDEXES), "index " + idx[i] + " of file " + i
                            + " is outside the " + dirs.size() + " directory names");
                }
                paths.add(dirs.get((int) idx[i]) + base.get(i));
            }
        } else {
            paths.addAll(h.stringArray(TAG_OLDFILENAMES));
        }
        int n = paths.size();
        long[] modes = h.numbers(TAG_FILEMODES);
        long[] sizes = h.has(TAG_LONGFILESIZES) ? h.numbers(TAG_LONGFILESIZES) : h.numbers(TAG_FILESIZES);
        List<String> users = h.stringArray(TAG_FILEUSERNAME);
        List<String> groups = h.stringArray(TAG_FILEGROUPNAME);
        List<String> links = h.stringArray(TAG_FILELINKTOS);
        long[] mtimes = h.numbers(TAG_FILEMTIMES);
        long[] flags = h.numbers(TAG_FILEFLAGS);
        checkCount(file, h, TAG_FILEMODES, modes.length, n);
        checkCount(file, h, h.has(TAG_LONGFILESIZES) ? TAG_LONGFILESIZES : TAG_FILESIZES, sizes.length, n);
        checkCount(file, h, TAG_FILEUSERNAME, users.size(), n);
        checkCount(file, h, TAG_FILEGROUPNAME, groups.size(), n);
        checkCount(file, h, TAG_FILELINKTOS, links.size(), n);
        checkCount(file, h, TAG_FILEMTIMES, mtimes.length, n);
        checkCount(file, h, TAG_FILEFLAGS, flags.length, n);
        Map<String, RpmFile> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            final int fi = i;
            String p = EntryPaths.normalize(paths.get(i)).orElseThrow(() -> new PackageFormatException(file,
                    h.where(TAG_BASENAMES), "file " + fi + " has a '..' component, a NUL or an overlong name"));
            out.put(p, new RpmFile(p, (int) modes[i], sizes[i], users.get(i), groups.get(i), links.get(i), mtimes[i],
                    (int) flags[i]));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Per-file tags are either absent (no files) or have one value per file. */
    private static void checkCount(Path file, RpmHeader h, int tag, int count, int files) throws PackageFormatException {
        if (count != files && !(files == 0 && count == 0)) {
            throw new PackageFormatException(file, h.where(tag), count + " values for " + files + " files");
        }
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public PackageMetadata metadata() {
        return metadata;
    }

    /** The files the header lists, by normalized path, in header order (ghost files included). */
    public Map<String, RpmFile> headerFiles() {
        return files;
    }

    @Override
    public Optional<List<String>> listedPaths() {
        return Optional.of(List.copyOf(files.keySet()));
    }

    /** How the payload is compressed. */
    public PayloadCompression payloadCompression() {
        return compression;
    }

    /** Where the compressed payload starts. */
    public long payloadOffset() {
        return payloadOffset;
    }

    @Override
    public EntryReader entries() throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        InputStream raw = new FileSlice(ch, payloadOffset, Math.max(0, ch.size() - payloadOffset), true);
        try {
            return new CpioEntryReader(file, files, new CappedInputStream(compression.open(raw), file, "payload",
                    DebPackage.MAX_DATA_TAR));
        } catch (IOException | RuntimeException e) {
            raw.close();
            if (e instanceof PackageFormatException p) {
                throw p;
            }
            throw new PackageFormatException(file, "offset " + payloadOffset, "corrupt " + compression + " payload (" + e.getMessage() + ")", e);
        }
    }
}
