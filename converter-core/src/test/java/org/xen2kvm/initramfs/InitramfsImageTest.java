package org.xen2kvm.initramfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xen2kvm.testutil.ExternalTool;

/** Round trips through the reader and writer, and the real tools reading what the writer makes. */
class InitramfsImageTest {
    @TempDir
    Path tmp;

    /** The program that tests each compression, as `PROGRAM -t FILE`. */
    private static final Map<Compression, String> TESTER = Map.of(Compression.GZIP, "gzip", Compression.XZ, "xz",
            Compression.ZSTD, "zstd", Compression.LZ4_LEGACY, "lz4", Compression.BZIP2, "bzip2", Compression.LZMA, "xz");

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"NONE", "GZIP", "XZ", "LZMA", "BZIP2", "LZ4_LEGACY", "ZSTD"})
    void roundTripKeepsEveryEntryAndSegment(Compression c) throws Exception {
        InitramfsImage image = SampleImages.debianLayout(c);
        byte[] written = image.write();
        InitramfsImage back = InitramfsImage.read("sample", written);
        assertEquals(image.describe(), back.describe());
        assertEquals(image, back);
        assertArrayEquals(written, back.write(), "writing what was read gives the same bytes");
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "XZ", "LZMA", "BZIP2", "LZ4_LEGACY", "ZSTD"})
    void realToolsReadEachCompressedSegment(Compression c) throws Exception {
        InitramfsImage image = InitramfsImage.of(c, SampleImages.mainEntries());
        Path file = tmp.resolve("main." + c.label());
        Files.write(file, image.write());
        String tester = TESTER.get(c);
        List<String> test = new ArrayList<>(List.of(tester, "-t"));
        if (c == Compression.LZMA) {
            test.add("--format=lzma");
        }
        test.add(file.toString());
        ExternalTool.Result t = ExternalTool.run(test);
        assertEquals(0, t.exitCode(), tester + " -t: " + t.output());
        String decompress = switch (c) {
            case GZIP -> "gzip -dc";
            case XZ -> "xz -dc";
            case LZMA -> "xz -dc --format=lzma";
            case BZIP2 -> "bzip2 -dc";
            case LZ4_LEGACY -> "lz4 -dc";
            case ZSTD -> "zstd -dc";
            default -> throw new AssertionError(c);
        };
        ExternalTool.require("cpio", "sh");
        ExternalTool.Result list = ExternalTool.run(List.of("sh", "-c", decompress + " '" + file + "' | cpio -t --quiet"));
        assertEquals(0, list.exitCode(), list.output());
        assertEquals(names(SampleImages.mainEntries()), Arrays.asList(list.output().split("\n")));
    }

    @Test
    void cpioExtractsWhatTheWriterWrote() throws Exception {
        Path file = tmp.resolve("plain.cpio");
        Files.write(file, InitramfsImage.of(Compression.NONE, SampleImages.mainEntries()).write());
        Path out = Files.createDirectories(tmp.resolve("x"));
        ExternalTool.require("cpio", "sh");
        // As an unprivileged extraction cannot make device nodes, those are left out.
        ExternalTool.Result r = ExternalTool.run(out, List.of("sh", "-c",
                "cpio -idv --no-absolute-filenames --quiet --nonmatching 'dev/*' < '" + file + "'"));
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("#!/bin/sh\necho hello\n", Files.readString(out.resolve("bin/hello")));
        assertEquals("busybox", Files.readSymbolicLink(out.resolve("bin/sh")).toString());
        assertEquals("linked\n", Files.readString(out.resolve("etc/a")), "hard link gets the data of its group");
        assertEquals(Files.getAttribute(out.resolve("etc/a"), "unix:ino"), Files.getAttribute(out.resolve("etc/b"), "unix:ino"));
        assertArrayEquals(SampleImages.mainEntries().get(13).data(), Files.readAllBytes(out.resolve("etc/big")));
    }

    @Test
    void readsWhatGnuCpioWritesInNewcAndCrc() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tree/etc"));
        Files.writeString(dir.resolve("one"), "one\n");
        Files.createLink(dir.resolve("two"), dir.resolve("one"));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("one"));
        Files.write(dir.resolve("odd"), new byte[] {1, 2, 3});
        ExternalTool.require("cpio", "sh");
        for (String format : List.of("newc", "crc")) {
            Path archive = tmp.resolve(format + ".cpio");
            ExternalTool.Result r = ExternalTool.run(tmp.resolve("tree"), List.of("sh", "-c",
                    "find . | LC_ALL=C sort | cpio -o -H " + format + " --quiet > '" + archive + "'"));
            assertEquals(0, r.exitCode(), r.output());
            InitramfsImage image = InitramfsImage.read(format, Files.readAllBytes(archive));
            assertEquals(List.of(".", "etc", "etc/link", "etc/odd", "etc/one", "etc/two"), names(image.entries()));
            assertEquals("one", image.find("etc/link").orElseThrow().linkTarget());
            // GNU cpio puts a hard link group's data on its last member.
            assertEquals(0, image.find("etc/one").orElseThrow().data().length);
            assertEquals("one\n", new String(image.find("etc/two").orElseThrow().data()));
            assertEquals(1, image.segments().size());
            assertEquals(0, (image.write().length) % 512, "GNU cpio's padding to 512-byte blocks is kept");
            assertArrayEquals(image.write(), InitramfsImage.read(format, image.write()).write());
        }
    }

    @Test
    void lsinitramfsAndUnmkinitramfsReadTheDebianLayout() throws Exception {
        for (Compression c : List.of(Compression.GZIP, Compression.ZSTD, Compression.XZ, Compression.LZ4_LEGACY)) {
            Path file = tmp.resolve("initrd-" + c.label());
            Files.write(file, SampleImages.debianLayout(c).write());
            ExternalTool.Result list = ExternalTool.run(List.of("lsinitramfs", file.toString()));
            assertEquals(0, list.exitCode(), list.output());
            List<String> expected = new ArrayList<>(List.of("kernel", "kernel/x86", "kernel/x86/microcode",
                    "kernel/x86/microcode/GenuineIntel.bin"));
            expected.addAll(names(SampleImages.mainEntries()));
            assertEquals(expected, Arrays.asList(list.output().split("\n")), c.label());
            Path out = tmp.resolve("unpacked-" + c.label());
            ExternalTool.Result un = ExternalTool.run(List.of("unmkinitramfs", file.toString(), out.toString()));
            // unmkinitramfs extracts device nodes with cpio, which needs root; the listing above covers them.
            assertTrue(Files.isRegularFile(out.resolve("early/kernel/x86/microcode/GenuineIntel.bin")), un.output());
            assertEquals("#!/bin/sh\necho hello\n", Files.readString(out.resolve("main/bin/hello")), c.label());
        }
    }

    @Test
    void replaceFileKeepsEverythingElse() throws Exception {
        InitramfsImage image = SampleImages.debianLayout(Compression.GZIP);
        InitramfsImage edited = image.replaceFile("/etc/odd", SampleImages.text("new\n"), 0600)
                .replaceFile("etc/lvm/lvm.conf", SampleImages.text("devices { }\n"), 0644);
        List<CpioEntry> before = image.entries();
        List<CpioEntry> after = InitramfsImage.read("edited", edited.write()).entries();
        assertEquals(before.size() + 2, after.size());
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).name().equals("etc/odd")) {
                assertEquals(before.get(i), after.get(i));
            }
        }
        CpioEntry odd = edited.find("etc/odd").orElseThrow();
        assertEquals(CpioEntry.S_IFREG | 0600, odd.mode());
        assertEquals(1000, odd.uid(), "owner kept");
        assertEquals("new\n", new String(odd.data()));
        assertEquals("etc/lvm", after.get(before.size()).name());
        assertTrue(after.get(before.size()).isDirectory());
        assertEquals("devices { }\n", new String(edited.find("./etc/lvm/lvm.conf").orElseThrow().data()));
        assertEquals(2, edited.segments().size());
        assertEquals(image.segments().get(0), edited.segments().get(0), "the early archive is untouched");
        assertThrows(IllegalArgumentException.class, () -> image.replaceFile("bin/sh", new byte[0], 0755));
        assertThrows(IllegalArgumentException.class, () -> image.replaceFile("etc/new", new byte[0], CpioEntry.S_IFDIR | 0755));
    }

    @Test
    void concatenatedCompressedArchivesAndPaddingAreKept() throws Exception {
        List<CpioEntry> one = List.of(CpioEntry.file("a", 0644, 1, SampleImages.text("a")));
        List<CpioEntry> two = List.of(CpioEntry.file("b", 0644, 2, SampleImages.text("b")));
        InitramfsImage image = new InitramfsImage(List.of(
                new InitramfsSegment(0, Compression.GZIP, List.of(new CpioArchive(one, 8), new CpioArchive(two, 0))),
                new InitramfsSegment(12, Compression.XZ, List.of(new CpioArchive(two, 0))),
                new InitramfsSegment(4, Compression.ZSTD, List.of(new CpioArchive(one, 0))),
                new InitramfsSegment(0, Compression.NONE, List.of(new CpioArchive(two, 4))),
                new InitramfsSegment(0, Compression.LZ4_LEGACY, List.of(new CpioArchive(one, 0)))), 16);
        InitramfsImage back = InitramfsImage.read("concatenated", image.write());
        assertEquals(image.describe(), back.describe());
        assertEquals(Compression.LZ4_LEGACY, back.mainCompression());
    }

    static List<String> names(List<CpioEntry> entries) {
        return entries.stream().map(CpioEntry::name).toList();
    }
}
