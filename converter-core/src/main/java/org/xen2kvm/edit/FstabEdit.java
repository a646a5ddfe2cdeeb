package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.TextFiles;

/**
 * Rewrites the device of each {@code /etc/fstab} entry that names a Xen disk. Only the
 * first field of such lines changes; comments, blank lines, odd lines and the spacing of
 * the other fields are kept, and where the padding is spaces the next column keeps its place.
 */
public final class FstabEdit implements GuestEdit {

    public static final String PATH = "/etc/fstab";
    /** Leading blanks, the spec field, the blanks after it. */
    private static final Pattern SPEC = Pattern.compile("^(\\s*)(\\S+)(\\s+)(.*)$", Pattern.DOTALL);
    private static final Pattern XEN_DEVICE = Pattern.compile("/dev/(xvd|hd|sd)[a-z]+[0-9]*");

    @Override
    public String name() {
        return "fstab";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        Optional<String> text = TextFiles.read(fs, PATH);
        if (text.isEmpty()) {
            notes.add(WARNING + PATH + " is missing; no mounts to translate");
            return notes;
        }
        List<String> lines = TextFiles.lines(text.get());
        List<String> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            out.add(rewrite(lines.get(i), i + 1, ctx, notes));
        }
        String result = TextFiles.join(out, text.get().endsWith("\n"));
        if (!result.equals(text.get())) {
            fs.writeText(PATH, result);
        }
        return notes;
    }

    private static String rewrite(String line, int lineNo, ConversionContext ctx, List<String> notes) {
        if (line.strip().startsWith("#")) {
            return line;
        }
        Matcher m = SPEC.matcher(line);
        if (!m.matches()) {
            return line;
        }
        String spec = m.group(2);
        if (!spec.startsWith("/dev/")) {
            return line;
        }
        Optional<String> kvm = ctx.deviceMap().translate(spec);
        if (kvm.isEmpty()) {
            if (XEN_DEVICE.matcher(spec).matches()) {
                notes.add(WARNING + PATH + " line " + lineNo + ": " + spec
                        + " is no disk of this guest; left unchanged (the mount will fail unless it is nofail)");
            }
            return line;
        }
        String replacement = kvm.get();
        String uuid = ctx.filesystemUuids().get(kvm.get());
        if (ctx.fstabUuid()) {
            if (uuid != null) {
                replacement = "UUID=" + uuid;
            } else {
                notes.add(WARNING + PATH + " line " + lineNo + ": no UUID known for " + kvm.get() + "; written as a device path");
            }
        }
        if (replacement.equals(spec)) {
            return line;
        }
        notes.add(PATH + " line " + lineNo + ": " + spec + " -> " + replacement);
        return m.group(1) + replacement + padding(m.group(3), spec.length(), replacement.length()) + m.group(4);
    }

    /** Keeps the next column where it was when the padding is spaces; tabs are kept as they are. */
    private static String padding(String blanks, int oldLen, int newLen) {
        if (blanks.indexOf('\t') >= 0) {
            return blanks;
        }
        return " ".repeat(Math.max(1, blanks.length() + oldLen - newLen));
    }
}
