package org.xen2kvm.pkg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * What a guest has installed, as far as a supplied package's dependencies and architecture
 * can be checked offline.
 *
 * <p>A Debian guest's {@code /var/lib/dpkg/status} is text: the packages installed (Status
 * {@code install ok installed}) and what they provide answer by name, and dpkg's own
 * architecture is the guest's. An RPM guest's database is Berkeley DB or SQLite, which is not
 * read here: a file dependency ({@code /bin/sh}) is answered by whether the file exists, a
 * package or capability name is accepted unchecked and listed in {@link #unchecked()} so the
 * user is told; the architecture comes from a kernel release ({@code .x86_64}). Failing both,
 * the machine of the guest's {@code /bin/sh} (an ELF header) says it.
 */
public final class GuestPackages {
    static final String DPKG_STATUS = "/var/lib/dpkg/status";
    /** Debian's status file is a few MiB on a large server; beyond this it is not a status file. */
    static final int MAX_STATUS_BYTES = 64 << 20;
    /** A shell larger than this is not read for its ELF header. */
    private static final int MAX_SHELL_BYTES = 16 << 20;
    private static final List<String> RPM_ARCHES = List.of("x86_64", "i686", "i586", "i386", "aarch64", "ppc64le",
            "ppc64", "s390x");

    private final boolean dpkg;
    private final Set<String> installed;
    private final String architecture;
    private final GuestFileSystem fs;
    private final Set<String> unchecked = new LinkedHashSet<>();

    private GuestPackages(boolean dpkg, Set<String> installed, String architecture, GuestFileSystem fs) {
        this.dpkg = dpkg;
        this.installed = installed;
        this.architecture = architecture;
        this.fs = fs;
    }

    /**
     * Reads what the guest has.
     *
     * @param kernelReleases the releases of the guest's kernels, whose suffix names an RPM guest's architecture
     * @throws IOException on a filesystem error, or a status file larger than {@value #MAX_STATUS_BYTES} bytes
     */
    public static GuestPackages read(GuestFileSystem fs, List<String> kernelReleases) throws IOException {
        Optional<FileInfo> status = fs.stat(DPKG_STATUS);
        if (status.isPresent() && status.get().type() == FileType.REGULAR) {
            Status s = parseStatus(new String(fs.readFile(DPKG_STATUS, MAX_STATUS_BYTES), StandardCharsets.UTF_8));
            String arch = s.dpkgArchitecture != null ? s.dpkgArchitecture : s.anyArchitecture;
            return new GuestPackages(true, s.names, arch != null ? arch : elfArchitecture(fs).orElse(null), fs);
        }
        String arch = null;
        for (String rel : kernelReleases) {
            for (String a : RPM_ARCHES) {
                if (rel.endsWith("." + a)) {
                    arch = a;
                }
            }
            if (arch != null) {
                break;
            }
        }
        return new GuestPackages(false, Set.of(), arch != null ? arch : elfArchitecture(fs).orElse(null), fs);
    }

    /** The guest's architecture in its package manager's naming ({@code amd64}, {@code x86_64}), or empty. */
    public Optional<String> architecture() {
        return Optional.ofNullable(architecture);
    }

    /** True when the guest's dpkg database was read; false for a guest whose names are taken on trust. */
    public boolean hasDatabase() {
        return dpkg;
    }

    /**
     * Whether the guest has a package, virtual package, capability or file of this name. Without
     * a readable database, a path is looked up in the guest and anything else is accepted and
     * remembered in {@link #unchecked()}.
     *
     * @throws java.io.UncheckedIOException when the guest filesystem fails while looking up a path
     */
    public boolean has(String name) {
        if (dpkg) {
            return installed.contains(name);
        }
        if (name.startsWith("/")) {
            try {
                return fs.stat(name).isPresent();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        // rpmlib(...) names features of rpm itself, which any rpm that reads the package has.
        if (!name.startsWith("rpmlib(")) {
            unchecked.add(name);
        }
        return true;
    }

    /** Names accepted without a database to check them in, in the order asked. */
    public List<String> unchecked() {
        return List.copyOf(unchecked);
    }

    // ---- dpkg status

    record Status(Set<String> names, String dpkgArchitecture, String anyArchitecture) {
    }

    /**
     * The installed packages and what they provide. The file is guest data: paragraphs that do
     * not parse are skipped rather than trusted, nothing is kept beyond names.
     */
    static Status parseStatus(String text) {
        Set<String> names = new HashSet<>();
        String dpkgArch = null;
        String anyArch = null;
        String pkg = null;
        String state = null;
        String provides = null;
        String arch = null;
        String last = null;
        for (String line : (text + "\n\n").split("\n", -1)) {
            if (line.isBlank()) {
                if (pkg != null && state != null && state.endsWith(" installed")) {
                    names.add(pkg);
                    if (provides != null) {
                        names.addAll(providedNames(provides));
                    }
                    if (arch != null && !arch.equals("all")) {
                        anyArch = anyArch == null ? arch : anyArch;
                        if (pkg.equals("dpkg")) {
                            dpkgArch = arch;
                        }
                    }
                }
                pkg = state = provides = arch = last = null;
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if ("provides".equals(last) && provides != null) {
                    provides += " " + line.strip();
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                last = null;
                continue;
            }
            last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            switch (last) {
                case "package" -> pkg = value;
                case "status" -> state = value;
                case "provides" -> provides = value;
                case "architecture" -> arch = value;
                default -> {
                }
            }
        }
        return new Status(names, dpkgArch, anyArch);
    }

    /** {@code foo (= 1.0), bar:any} -> foo, bar. */
    private static List<String> providedNames(String value) {
        List<String> out = new ArrayList<>();
        for (String p : value.split(",")) {
            String n = p.strip();
            int cut = n.length();
            for (char c : new char[] {' ', '(', ':', '\t'}) {
                int i = n.indexOf(c);
                if (i >= 0) {
                    cut = Math.min(cut, i);
                }
            }
            n = n.substring(0, cut);
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }

    // ---- ELF

    /** The machine of the guest's {@code /bin/sh}, in Debian's naming, or empty when it is no ELF file. */
    static Optional<String> elfArchitecture(GuestFileSystem fs) throws IOException {
        byte[] elf;
        try {
            Optional<FileInfo> sh = fs.stat("/bin/sh");
            if (sh.isEmpty() || sh.get().type() != FileType.REGULAR || sh.get().size() > MAX_SHELL_BYTES) {
                return Optional.empty();
            }
            elf = fs.readFile("/bin/sh", MAX_SHELL_BYTES);
        } catch (FileSystemException e) {
            return Optional.empty();
        }
        return elfMachine(elf);
    }

    /** e_machine of an ELF header: {@code amd64}, {@code i386}, {@code arm64}... or empty. */
    static Optional<String> elfMachine(byte[] h) {
        if (h.length < 20 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
            return Optional.empty();
        }
        boolean little = h[5] == 1;
        int machine = little ? (h[18] & 0xff) | (h[19] & 0xff) << 8 : (h[19] & 0xff) | (h[18] & 0xff) << 8;
        return Optional.ofNullable(switch (machine) {
            case 3 -> "i386";
            case 62 -> "amd64";
            case 183 -> "arm64";
            case 40 -> "armhf";
            case 21 -> little ? "ppc64el" : "ppc64";
            case 22 -> "s390x";
            default -> null;
        });
    }
}
