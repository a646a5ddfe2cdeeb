package org.xen2kvm.guest;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Names the guest's distribution from its release files, first found wins:
 * <ol>
 * <li>{@code /etc/os-release}, then {@code /usr/lib/os-release} (os-release(5); every systemd-era
 *     distribution). A RHEL-family {@code VERSION_ID} without a minor version ({@code 7}) takes the
 *     minor from {@code /etc/centos-release} or {@code /etc/redhat-release} when those name the
 *     same major ({@code 7.9.2009}), because kernels and fixes differ between minor releases;</li>
 * <li>{@code /etc/centos-release} (CentOS 6 and later; {@code redhat-release} links to it);</li>
 * <li>{@code /etc/redhat-release} (RHEL, CentOS 5, Scientific Linux, old Fedora);</li>
 * <li>{@code /etc/SuSE-release} (SLES and openSUSE before os-release);</li>
 * <li>{@code /etc/lsb-release} (Ubuntu before 12.04, whose {@code debian_version} says only {@code squeeze/sid});</li>
 * <li>{@code /etc/debian_version} (Debian before 7).</li>
 * </ol>
 * The package manager comes from the package database present: {@code /var/lib/rpm} (or
 * {@code /usr/lib/sysimage/rpm}) or {@code /var/lib/dpkg/status}; when a guest has both (rpm
 * installed on Debian), the family decides.
 */
public final class DistroDetector {

    public static final String OS_RELEASE = "/etc/os-release";
    public static final String USR_OS_RELEASE = "/usr/lib/os-release";
    public static final String CENTOS_RELEASE = "/etc/centos-release";
    public static final String REDHAT_RELEASE = "/etc/redhat-release";
    public static final String SUSE_RELEASE = "/etc/SuSE-release";
    public static final String LSB_RELEASE = "/etc/lsb-release";
    public static final String DEBIAN_VERSION = "/etc/debian_version";

    /** Release files in the order they are tried. */
    public static final List<String> RELEASE_FILES = List.of(OS_RELEASE, USR_OS_RELEASE, CENTOS_RELEASE, REDHAT_RELEASE,
            SUSE_RELEASE, LSB_RELEASE, DEBIAN_VERSION);

    /** A name or version longer than this is not a release string; it is cut for messages. */
    static final int MAX_FIELD = 120;

    private static final Pattern ASSIGNMENT = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)$");
    private static final Pattern RELEASE_VERSION = Pattern.compile("release\\s+([0-9][0-9.]*)");

    private DistroDetector() {
    }

    /** The guest's distribution; {@code unknown} (family OTHER) when no release file is readable. */
    public static OsInfo detect(GuestFileSystem fs) throws IOException {
        OsInfo os = null;
        String source = "";
        for (String file : RELEASE_FILES) {
            Optional<String> text = TextFiles.read(fs, file);
            if (text.isEmpty()) {
                continue;
            }
            os = switch (file) {
                case OS_RELEASE, USR_OS_RELEASE -> refineRhelVersion(fs, osRelease(text.get()));
                case CENTOS_RELEASE, REDHAT_RELEASE -> redhatRelease(text.get());
                case SUSE_RELEASE -> suseRelease(text.get());
                case LSB_RELEASE -> lsbRelease(text.get());
                default -> debianVersion(text.get());
            };
            if (os != null) {
                source = file;
                break;
            }
        }
        if (os == null) {
            os = new OsInfo("unknown", "", "unknown Linux", OsFamily.OTHER);
        }
        // Names are built from pieces (a prefix and a cut line): cut again so the whole fits.
        os = new OsInfo(clean(os.id()), clean(os.versionId()), clean(os.prettyName()), os.family());
        return os.withSource(source, packageManager(fs, os.family()));
    }

    static OsInfo osRelease(String text) {
        Map<String, String> kv = assignments(text);
        String id = kv.getOrDefault("ID", "linux").toLowerCase(Locale.ROOT);
        String like = kv.getOrDefault("ID_LIKE", "");
        return new OsInfo(id, kv.getOrDefault("VERSION_ID", ""), kv.getOrDefault("PRETTY_NAME", kv.getOrDefault("NAME", id)),
                family(id + " " + like));
    }

    /** Red Hat release files: {@code Red Hat Enterprise Linux Server release 6.10 (Santiago)}. */
    static OsInfo redhatRelease(String text) {
        String first = firstLine(text);
        if (first.isEmpty()) {
            return null;
        }
        String lower = first.toLowerCase(Locale.ROOT);
        String id = lower.startsWith("centos") ? "centos" : lower.contains("fedora") ? "fedora"
                : lower.contains("scientific") ? "scientific" : lower.startsWith("oracle") ? "ol" : "rhel";
        return new OsInfo(id, releaseVersion(first), first, OsFamily.RHEL);
    }

    /** {@code SUSE Linux Enterprise Server 11 (x86_64)} with {@code VERSION = 11} and {@code PATCHLEVEL = 4}. */
    static OsInfo suseRelease(String text) {
        Map<String, String> kv = assignments(text);
        String version = kv.getOrDefault("VERSION", "");
        String patch = kv.getOrDefault("PATCHLEVEL", "");
        String first = firstLine(text);
        String id = first.toLowerCase(Locale.ROOT).contains("opensuse") ? "opensuse" : "sles";
        return new OsInfo(id, patch.isEmpty() || version.contains(".") ? version : version + "." + patch, first, OsFamily.SUSE);
    }

    /** {@code DISTRIB_ID=Ubuntu}, {@code DISTRIB_RELEASE=10.04}, {@code DISTRIB_DESCRIPTION="Ubuntu 10.04.4 LTS"}. */
    static OsInfo lsbRelease(String text) {
        Map<String, String> kv = assignments(text);
        String id = kv.getOrDefault("DISTRIB_ID", "").toLowerCase(Locale.ROOT);
        if (id.isEmpty()) {
            return null;
        }
        String version = kv.getOrDefault("DISTRIB_RELEASE", "");
        return new OsInfo(id, version, kv.getOrDefault("DISTRIB_DESCRIPTION", id + " " + version).strip(), family(id));
    }

    /** {@code 5.0.10}, or a codename ({@code squeeze/sid}) on testing and Ubuntu, which gives no version. */
    static OsInfo debianVersion(String text) {
        String v = firstLine(text);
        String version = v.matches("[0-9][0-9.]*") ? v : "";
        return new OsInfo("debian", version, "Debian GNU/Linux " + (v.isEmpty() ? "" : v).strip(), OsFamily.DEBIAN);
    }

    private static OsInfo refineRhelVersion(GuestFileSystem fs, OsInfo os) throws IOException {
        if (os.family() != OsFamily.RHEL || os.versionId().isEmpty() || os.versionId().contains(".")) {
            return os;
        }
        for (String file : List.of(CENTOS_RELEASE, REDHAT_RELEASE)) {
            Optional<String> text = TextFiles.read(fs, file);
            if (text.isEmpty()) {
                continue;
            }
            String v = releaseVersion(firstLine(text.get()));
            if (v.startsWith(os.versionId() + ".")) {
                return new OsInfo(os.id(), v, os.prettyName(), os.family());
            }
        }
        return os;
    }

    static OsFamily family(String ids) {
        String s = " " + ids.toLowerCase(Locale.ROOT) + " ";
        if (s.contains(" debian ") || s.contains(" ubuntu ")) {
            return OsFamily.DEBIAN;
        }
        if (s.contains(" rhel ") || s.contains(" centos ") || s.contains(" fedora ") || s.contains(" rocky ")
                || s.contains(" almalinux ") || s.contains(" ol ") || s.contains(" scientific ")) {
            return OsFamily.RHEL;
        }
        if (s.contains(" suse ") || s.contains(" sles ") || s.contains("opensuse")) {
            return OsFamily.SUSE;
        }
        return OsFamily.OTHER;
    }

    static PackageManager packageManager(GuestFileSystem fs, OsFamily family) throws IOException {
        boolean rpm = isDir(fs, "/var/lib/rpm") || isDir(fs, "/usr/lib/sysimage/rpm");
        boolean dpkg = fs.stat("/var/lib/dpkg/status").map(i -> i.type() == FileType.REGULAR).orElse(false);
        if (rpm && dpkg) {
            return family == OsFamily.DEBIAN ? PackageManager.DPKG : PackageManager.RPM;
        }
        return rpm ? PackageManager.RPM : dpkg ? PackageManager.DPKG : PackageManager.UNKNOWN;
    }

    private static boolean isDir(GuestFileSystem fs, String path) throws IOException {
        return fs.stat(path).map(i -> i.type() == FileType.DIRECTORY).orElse(false);
    }

    /** {@code KEY=value} lines (os-release, lsb-release, SuSE-release's {@code KEY = value}), values unquoted and cut. */
    private static Map<String, String> assignments(String text) {
        Map<String, String> kv = new HashMap<>();
        for (String line : TextFiles.lines(text)) {
            Matcher m = ASSIGNMENT.matcher(line.strip());
            if (m.matches()) {
                kv.put(m.group(1), clean(unquote(m.group(2))));
            }
        }
        return kv;
    }

    private static String releaseVersion(String line) {
        Matcher m = RELEASE_VERSION.matcher(line);
        return m.find() ? clean(m.group(1)) : "";
    }

    private static String firstLine(String s) {
        List<String> l = TextFiles.lines(s);
        return l.isEmpty() ? "" : clean(l.get(0).strip());
    }

    /** Release strings are shown to the user: printable characters only, and short. */
    static String clean(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < MAX_FIELD; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }

    private static String unquote(String v) {
        String s = v.strip();
        if (s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
