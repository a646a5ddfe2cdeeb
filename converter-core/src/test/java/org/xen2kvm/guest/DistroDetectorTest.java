package org.xen2kvm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.MemoryFileSystem;

class DistroDetectorTest {

    private static OsInfo detect(MemoryFileSystem fs) throws Exception {
        return DistroDetector.detect(fs);
    }

    @Test
    void rhelFileSets() throws Exception {
        assertEquals(new OsInfo("centos", "5.11", "CentOS release 5.11 (Final)", OsFamily.RHEL, "/etc/redhat-release",
                PackageManager.RPM), detect(GuestTrees.fixture("rhel5")));
        assertEquals(new OsInfo("rhel", "6.10", "Red Hat Enterprise Linux Server release 6.10 (Santiago)", OsFamily.RHEL,
                "/etc/redhat-release", PackageManager.RPM), detect(GuestTrees.fixture("rhel6")));
    }

    @Test
    void centosReleaseComesBeforeRedhatRelease() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("centos6").file("/etc/centos-release", "CentOS release 6.10 (Final)\n");
        fs.link("/etc/redhat-release", "centos-release").dir("/var/lib/rpm");
        assertEquals(new OsInfo("centos", "6.10", "CentOS release 6.10 (Final)", OsFamily.RHEL, "/etc/centos-release",
                PackageManager.RPM), detect(fs));
    }

    @Test
    void osReleaseWinsAndTakesTheMinorVersionFromTheRedHatFile() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("centos7");
        fs.file("/etc/os-release", "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n"
                + "VERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n");
        fs.file("/etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n");
        fs.dir("/usr/lib/sysimage/rpm");
        assertEquals(new OsInfo("centos", "7.9.2009", "CentOS Linux 7 (Core)", OsFamily.RHEL, "/etc/os-release",
                PackageManager.RPM), detect(fs));
        fs.file("/etc/centos-release", "CentOS Linux release 8.5.2111\n");
        assertEquals("7", detect(fs).versionId(), "another major is not this release");
    }

    @Test
    void suseAndOpenSuse() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("opensuse").file("/etc/SuSE-release",
                "openSUSE 13.2 (x86_64)\nVERSION = 13.2\nCODENAME = Harlequin\n").dir("/var/lib/rpm");
        assertEquals(new OsInfo("opensuse", "13.2", "openSUSE 13.2 (x86_64)", OsFamily.SUSE, "/etc/SuSE-release",
                PackageManager.RPM), detect(fs));
    }

    @Test
    void oldUbuntuByLsbReleaseBeforeItsDebianVersion() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("lucid");
        fs.file("/etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=10.04\nDISTRIB_CODENAME=lucid\n"
                + "DISTRIB_DESCRIPTION=\"Ubuntu 10.04.4 LTS\"\n");
        fs.file("/etc/debian_version", "squeeze/sid\n").file("/var/lib/dpkg/status", "Package: base-files\n");
        assertEquals(new OsInfo("ubuntu", "10.04", "Ubuntu 10.04.4 LTS", OsFamily.DEBIAN, "/etc/lsb-release",
                PackageManager.DPKG), detect(fs));
    }

    @Test
    void oldDebianByDebianVersion() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("lenny").file("/etc/debian_version", "5.0.10\n");
        fs.file("/var/lib/dpkg/status", "Package: base-files\n").dir("/var/lib/rpm");
        assertEquals(new OsInfo("debian", "5.0.10", "Debian GNU/Linux 5.0.10", OsFamily.DEBIAN, "/etc/debian_version",
                PackageManager.DPKG), detect(fs), "rpm installed on Debian does not make it an rpm system");
        fs.file("/etc/debian_version", "squeeze/sid\n");
        assertEquals("", detect(fs).versionId(), "a codename is no version");
    }

    @Test
    void nothingKnown() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("bare").dir("/etc").file("/etc/lsb-release", "# empty\n");
        assertEquals(new OsInfo("unknown", "", "unknown Linux", OsFamily.OTHER, "", PackageManager.UNKNOWN), detect(fs));
    }

    @Test
    void hostileReleaseTextIsCutAndPrintable() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("odd").file("/etc/redhat-release", "Red\u0001Hat " + "x".repeat(5000) + "\n");
        OsInfo os = detect(fs);
        assertEquals(DistroDetector.MAX_FIELD, os.prettyName().length());
        assertEquals("Red?Hat xx", os.prettyName().substring(0, 10));
        assertEquals("rhel", os.id());
    }
}
