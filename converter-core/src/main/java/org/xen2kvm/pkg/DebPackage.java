package org.xen2kvm.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A Debian binary package (deb(5)): an ar archive of {@code debian-binary} ("2.0\n"),
 * {@code control.tar[.gz|.xz|.zst]} and {@code data.tar[.gz|.xz|.zst|.bz2]}, in that order;
 * members whose names start with {@code _} are ignored as dpkg does. The control file is
 * read when the package is opened, the data tar streamed when {@link #entries()} is called.
 */
public final class DebPackage implements PackageArchive {
    static final String DEBIAN_BINARY = "debian-binary";
    static final String CONTROL_TAR = "control.tar";
    static final String DATA_TAR = "data.tar";
    /** Format 2.x; dpkg refuses another major version, and so do we. */
    static final String FORMAT_MAJOR = "2.";
    /** The compressed control member of a kernel is about 30 KiB. */
    static final long MAX_CONTROL_MEMBER = 16 << 20;
    /** What control.tar may inflate to (it holds the control file, md5sums and a few scripts). */
    static final long MAX_CONTROL_TAR = 64L << 20;
    /** What data.tar may inflate to; Debian's largest kernels install under 1 GiB. */
    static final long MAX_DATA_TAR = 8L << 30;
    /** The maintainer scripts a control.tar may carry (deb-maintscripts(5)) and the debconf config script. */
    static final Set<String> SCRIPTS = Set.of("preinst", "postinst", "prerm", "postrm", "config");

    private final Path file;
    private final PackageMetadata metadata;
    private final ArArchive.Member data;
    private final PayloadCompression dataCompression;
    /** The files md5sums lists, or null when the package has no md5sums. */
    private final List<String> listed;

    private DebPackage(Path file, PackageMetadata metadata, ArArchive.Member data, PayloadCompression dataCompression,
                       List<String> listed) {
        this.file = file;
        this.metadata = metadata;
        this.data = data;
        this.dataCompression = dataCompression;
        this.listed = listed == null ? null : List.copyOf(listed);
    }

    /** What control.tar says: the control file's fields and md5sums' list of files (null without one). */
    private record Control(PackageMetadata metadata, List<String> listed) {
    }

    /**
     * Reads the member table and the control file.
     *
     * @throws PackageFormatException for anything that is not a well-formed binary package
     */
    public static DebPackage open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            List<ArArchive.Member> members = new ArrayList<>();
            for (ArArchive.Member m : ArArchive.members(file, ch)) {
                if (!m.name().startsWith("_")) {
                    members.add(m);
                }
            }
            if (members.size() < 3) {
                throw new PackageFormatException(file, "ar members", "a .deb has debian-binary, control.tar and data.tar; this one has "
                        + members.stream().map(ArArchive.Member::name).toList());
            }
            ArArchive.Member binary = members.get(0);
            if (!binary.name().equals(DEBIAN_BINARY)) {
                throw new PackageFormatException(file, binary.headerOffset(), "first ar member is '" + binary.name()
                        + "', expected debian-binary");
            }
            String version = new String(ArArchive.read(file, ch, binary.dataOffset(), (int) Math.min(binary.size(), 64),
                    DEBIAN_BINARY), StandardCharsets.US_ASCII);
            if (!version.startsWith(FORMAT_MAJOR)) {
                throw new PackageFormatException(file, binary.dataOffset(), "package format '" + version.strip()
                        + "' is not 2.x");
            }
            ArArchive.Member control = members.get(1);
            PayloadCompression controlCompression = compression(file, control, CONTROL_TAR);
            ArArchive.Member data = members.get(2);
            PayloadCompression dataCompression = compression(file, data, DATA_TAR);
            if (members.size() > 3) {
                ArArchive.Member extra = members.get(3);
                throw new PackageFormatException(file, extra.headerOffset(), "unexpected ar member '" + extra.name()
                        + "' after data.tar");
            }
            if (control.size() > MAX_CONTROL_MEMBER) {
                throw new PackageFormatException(file, control.headerOffset(), control.name() + " of " + control.size()
                        + " bytes is too large for a control archive");
            }
            Control read = readControl(file, ch, control, controlCompression);
            return new DebPackage(file, read.metadata(), data, dataCompression, read.listed());
        }
    }

    private static PayloadCompression compression(Path file, ArArchive.Member m, String base) throws PackageFormatException {
        if (!m.name().startsWith(base)) {
            throw new PackageFormatException(file, m.headerOffset(), "ar member '" + m.name() + "' where " + base
                    + ".* was expected");
        }
        return PayloadCompression.bySuffix(m.name().substring(base.length())).filter(c -> c != PayloadCompression.LZMA
                || base.equals(DATA_TAR)).orElseThrow(() -> new PackageFormatException(file, m.headerOffset(),
                "unsupported compression of ar member '" + m.name() + "' (expected " + base + ", " + base + ".gz, .xz, .zst"
                + (base.equals(DATA_TAR) ? ", .bz2 or .lzma" : "") + ")"));
    }

    private static Control readControl(Path file, FileChannel ch, ArArchive.Member member, PayloadCompression c)
            throws IOException {
        String controlText = null;
        List<String> listed = null;
        List<String> scripts = new ArrayList<>();
        String where = "ar member " + member.name();
        InputStream raw = new FileSlice(ch, member.dataOffset(), member.size(), false);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new CappedInputStream(c.open(raw), file, where,
                MAX_CONTROL_TAR))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = EntryPaths.normalize(e.getName()).orElse("");
                if (!e.isFile() || e.isLink()) {
                    continue;
                }
                if (name.equals("/control")) {
                    if (e.getSize() > DebControl.MAX_BYTES) {
                        throw new PackageFormatException(file, where, "control file of " + e.getSize() + " bytes is too large");
                    }
                    byte[] text = tar.readNBytes((int) e.getSize());
                    if (text.length != e.getSize()) {
                        throw new PackageFormatException(file, where, "control file cut short");
                    }
                    controlText = new String(text, StandardCharsets.UTF_8);
                } else if (name.equals("/md5sums")) {
                    listed = md5sums(tar.readNBytes((int) Math.min(e.getSize(), MAX_CONTROL_TAR)));
                } else if (SCRIPTS.contains(name.substring(1))) {
                    scripts.add(name.substring(1));
                }
            }
        } catch (PackageFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Only library code runs in the loop above: corrupt tar or compressed data.
            throw new PackageFormatException(file, where, "corrupt control archive (" + e.getMessage() + ")", e);
        }
        if (controlText == null) {
            throw new PackageFormatException(file, where, "no ./control file in the control archive");
        }
        DebControl control = DebControl.parse(file, controlText);
        List<Dependency> depends = new ArrayList<>();
        for (String field : List.of("Pre-Depends", "Depends")) {
            String v = control.field(field).orElse("");
            depends.addAll(DebControl.relations(file, field, v));
        }
        List<String> provides = DebControl.provides(file, control.field("Provides").orElse(""));
        return new Control(new PackageMetadata(PackageFormat.DEB, control.required(file, "Package"),
                control.required(file, "Version"), control.required(file, "Architecture"), depends, provides, scripts), listed);
    }

    /**
     * The files md5sums lists ({@code <md5>  <path>} per line, paths without the leading
     * slash), so that the kernel is found without inflating data.tar: for the Debian cloud
     * kernel the image is the 8th of 1,379 entries, but inflating the 13 MiB before it cost
     * 1.7 s of an --install-kernel conversion. Only regular files are listed; a listing that
     * does not parse is not used.
     */
    private static List<String> md5sums(byte[] text) {
        List<String> out = new ArrayList<>();
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int sep = line.indexOf("  ");
            if (sep != 32) {
                return null;
            }
            Optional<String> path = EntryPaths.normalize(line.substring(sep + 2));
            if (path.isEmpty()) {
                return null;
            }
            out.add(path.get());
        }
        return out;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public PackageMetadata metadata() {
        return metadata;
    }

    /** The regular files md5sums lists; empty when the package has none (data.tar alone knows them). */
    @Override
    public Optional<List<String>> listedPaths() {
        return Optional.ofNullable(listed);
    }

    /** How data.tar is compressed. */
    public PayloadCompression dataCompression() {
        return dataCompression;
    }

    @Override
    public EntryReader entries() throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        InputStream raw = new FileSlice(ch, data.dataOffset(), data.size(), true);
        try {
            String where = "ar member " + data.name();
            Optional<InputStream> parallel = dataCompression == PayloadCompression.XZ
                    ? ParallelXz.open(ch, data.dataOffset(), data.size()) : Optional.empty();
            InputStream inflated = parallel.isPresent() ? new java.io.BufferedInputStream(parallel.get(), 1 << 16)
                    : dataCompression.open(raw);
            return new TarEntryReader(file, data.name(), new CappedInputStream(inflated, file, where, MAX_DATA_TAR));
        } catch (IOException | RuntimeException e) {
            raw.close();
            if (e instanceof PackageFormatException p) {
                throw p;
            }
            throw new PackageFormatException(file, "ar member " + data.name(), "corrupt " + dataCompression + " data ("
                    + e.getMessage() + ")", e);
        }
    }
}
