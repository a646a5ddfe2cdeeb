package org.xen2kvm.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged copies of the tiny seed packages (testdata/make-package-seeds.sh): each is refused
 * with a one-line {@link PackageFormatException} naming the file and the place.
 */
class PackageCorruptTest {
    @TempDir
    Path tmp;

    private static byte[] seed(String name) throws IOException {
        try (InputStream in = PackageCorruptTest.class.getResourceAsStream("PackageFuzzTestInputs/" + name)) {
            return in.readAllBytes();
        }
    }

    /** Opens and reads every entry of the damaged file; returns the refusal. */
    private PackageFormatException refused(String name, byte[] data, String... expected) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, data);
        PackageFormatException e = assertThrows(PackageFormatException.class, () -> {
            KernelPackage k = KernelPackages.open(f);
            PackageFixtures.entries(k.archive());
        });
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void seedsAreWellFormed() throws IOException {
        for (String s : new String[] {"deb/tiny-gzip.deb", "deb/tiny-xz.deb", "rpm/tiny-gzip.rpm", "rpm/tiny-zstd.rpm"}) {
            Path f = tmp.resolve(s.replace('/', '-'));
            Files.write(f, seed(s));
            KernelPackage k = KernelPackages.open(f);
            assertEquals("9.9.9-test", k.kernelRelease().orElseThrow(), s);
            assertEquals(7, PackageFixtures.entries(k.archive()).stream().filter(e -> e.type() != EntryType.DIRECTORY
                    || e.path().startsWith("/lib/modules/9.9.9-test")).count() + (s.endsWith(".rpm") ? 0 : 0), s);
        }
    }

    @Test
    void neitherDebNorRpm() throws IOException {
        refused("text.deb", "hello\n".getBytes(), "offset 0", "neither a Debian package");
    }

    @Test
    void debCutShort() throws IOException {
        byte[] deb = seed("deb/tiny-gzip.deb");
        refused("cut.deb", Arrays.copyOf(deb, deb.length / 2), "runs past the end");
    }

    @Test
    void debBadMemberSize() throws IOException {
        byte[] deb = seed("deb/tiny-gzip.deb");
        deb[8 + 48] = 'x'; // ar_size of debian-binary
        refused("size.deb", deb, "offset 56", "ar member size", "not a decimal number");
    }

    @Test
    void debWrongFirstMember() throws IOException {
        byte[] deb = seed("deb/tiny-gzip.deb");
        deb[8] = 'D';
        refused("first.deb", deb, "offset 8", "first ar member is 'Debian-binary'");
    }

    @Test
    void debCorruptData() throws IOException {
        byte[] deb = seed("deb/tiny-gzip.deb");
        int data = indexOf(deb, "data.tar.gz".getBytes()) + 60;
        for (int i = data + 20; i < deb.length - 10; i++) {
            deb[i] ^= 0x55;
        }
        refused("data.deb", deb, "ar member data.tar.gz");
    }

    @Test
    void rpmBadSignatureHeader() throws IOException {
        byte[] rpm = seed("rpm/tiny-gzip.rpm");
        rpm[96] = 0;
        refused("sig.rpm", rpm, "offset 96", "signature header lacks its magic");
    }

    @Test
    void rpmHugeIndexCount() throws IOException {
        byte[] rpm = seed("rpm/tiny-gzip.rpm");
        ByteBuffer.wrap(rpm).putInt(96 + 8, 0x7fffffff);
        refused("nindex.rpm", rpm, "offset 104", "index entries");
    }

    @Test
    void rpmTagOutsideStore() throws IOException {
        byte[] rpm = seed("rpm/tiny-gzip.rpm");
        ByteBuffer b = ByteBuffer.wrap(rpm);
        long sigEnd = 96 + 16 + 16L * b.getInt(96 + 8) + b.getInt(96 + 12);
        int main = (int) (sigEnd + (8 - sigEnd % 8) % 8);
        b.putInt(main + 16 + 8, 0x7ffffff0); // offset of the first index entry
        refused("offset.rpm", rpm, "header", "lie outside its");
    }

    @Test
    void rpmPayloadCutShort() throws IOException {
        byte[] rpm = seed("rpm/tiny-gzip.rpm");
        refused("payload.rpm", Arrays.copyOf(rpm, rpm.length - 200), "payload");
    }

    @Test
    void rpmBadCompressor() throws IOException {
        byte[] rpm = seed("rpm/tiny-zstd.rpm");
        int at = indexOf(rpm, "zstd\0".getBytes());
        rpm[at] = 'q';
        refused("compressor.rpm", rpm, "tag 1125 (PAYLOADCOMPRESSOR)", "'qstd' is not supported");
    }

    /** A hard link may name only a file of the package: one naming a guest file is refused before anything is copied. */
    @Test
    void hardLinkToAGuestFileIsRefused() throws Exception {
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(data)) {
            var link = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("./boot/shadow",
                    org.apache.commons.compress.archivers.tar.TarConstants.LF_LINK);
            link.setLinkName("./etc/shadow");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        java.io.ByteArrayOutputStream control = new java.io.ByteArrayOutputStream();
        byte[] text = "Package: evil\nVersion: 1\nArchitecture: amd64\n".getBytes();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(control)) {
            var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("./control");
            e.setSize(text.length);
            tar.putArchiveEntry(e);
            tar.write(text);
            tar.closeArchiveEntry();
        }
        Path deb = tmp.resolve("evil.deb");
        try (var ar = new org.apache.commons.compress.archivers.ar.ArArchiveOutputStream(Files.newOutputStream(deb))) {
            for (var m : java.util.List.of(java.util.Map.entry("debian-binary", "2.0\n".getBytes()),
                    java.util.Map.entry("control.tar", control.toByteArray()), java.util.Map.entry("data.tar", data.toByteArray()))) {
                ar.putArchiveEntry(new org.apache.commons.compress.archivers.ar.ArArchiveEntry(m.getKey(), m.getValue().length));
                ar.write(m.getValue());
                ar.closeArchiveEntry();
            }
        }
        org.xen2kvm.fs.MemoryFileSystem guest = new org.xen2kvm.fs.MemoryFileSystem("guest").file("/etc/shadow", "root:secret\n")
                .dir("/boot");
        PackageFormatException e = assertThrows(PackageFormatException.class,
                () -> PackageInstaller.install(guest, KernelPackages.open(deb)));
        assertTrue(e.getMessage().contains("entry /boot/shadow: hard link to /etc/shadow, which is not a file of the package"),
                e.getMessage());
        assertFalse(guest.exists("/boot/shadow"));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
