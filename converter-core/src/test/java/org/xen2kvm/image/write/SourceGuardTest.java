package org.xen2kvm.image.write;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.image.FormatImage;
import org.xen2kvm.image.open.ImageOpener;
import org.xen2kvm.testutil.ExternalTool;

/** Every way an output path can name a file the conversion reads. */
class SourceGuardTest {
    @TempDir
    Path dir;
    Path src;

    @BeforeEach
    void source() throws Exception {
        src = dir.resolve("s.img");
        Files.write(src, new byte[4096]);
    }

    private OutputIsSourceException refused(Path output) {
        OutputIsSourceException e = assertThrows(OutputIsSourceException.class,
                () -> SourceGuard.check(List.of(src), List.of(output)));
        assertTrue(e.getMessage().contains(src.toString()), e.getMessage());
        return e;
    }

    @Test
    void samePathIsRefusedAndTheMessageNamesBoth() {
        OutputIsSourceException e = refused(src);
        assertEquals(src, e.output());
        assertTrue(e.getMessage().startsWith(src + ": output is the source file " + src), e.getMessage());
    }

    @Test
    void dotAndDotDotVariantsAreRefused() {
        refused(dir.resolve(".").resolve("s.img"));
        refused(dir.resolve("sub").resolve("..").resolve("s.img"));
        Path cwd = Path.of("").toAbsolutePath();
        refused(cwd.relativize(src));
    }

    @Test
    void symlinkToTheSourceIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), src);
        assertTrue(refused(link).getMessage().contains("output resolves to the source file"));
    }

    @Test
    void hardLinkToTheSourceIsRefused() throws Exception {
        Path hard = Files.createLink(dir.resolve("hard.img"), src);
        assertTrue(refused(hard).getMessage().contains("output is a hard link to the source file"));
    }

    @Test
    void symlinkedParentDirectoryIsRefused() throws Exception {
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), dir);
        refused(alias.resolve("s.img"));
    }

    @Test
    void anOutputWhosePartFileIsTheSourceIsRefused() {
        // Writing out.img goes through out.img.part: that file would be replaced.
        Path output = dir.resolve("s");
        src = dir.resolve("s.part");
        assertDoesNotThrow(() -> Files.write(src, new byte[1]));
        OutputIsSourceException e = refused(output);
        assertEquals(dir.resolve("s.part"), e.output());
    }

    @Test
    void aDanglingSymlinkIntoASymlinkedDirectoryResolvesByParent() throws Exception {
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), dir);
        Path dangling = Files.createSymbolicLink(dir.resolve("new.img"), alias.resolve("not-yet.img"));
        Path other = dir.resolve("not-yet.img");
        assertThrows(OutputIsSourceException.class, () -> SourceGuard.check(List.of(other), List.of(dangling)));
    }

    @Test
    void otherOutputsPass() throws Exception {
        Files.write(dir.resolve("other.img"), new byte[1]);
        assertDoesNotThrow(() -> SourceGuard.check(List.of(src), List.of(dir.resolve("other.img"),
                dir.resolve("new.img"), dir.resolve("no-dir").resolve("s.img"))));
    }

    @Test
    void aBackingFileOfAQcow2IsASource() throws Exception {
        ExternalTool.require("qemu-img");
        Path base = dir.resolve("base.qcow2");
        Path top = dir.resolve("top.qcow2");
        assertEquals(0, ExternalTool.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "1M"))
                .exitCode());
        assertEquals(0, ExternalTool.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                "-b", "base.qcow2", top.toString())).exitCode());
        try (FormatImage image = ImageOpener.openImage(top, null, ImageOpener.OpenOptions.DEFAULT)) {
            List<Path> chain = SourceGuard.chain(image);
            assertEquals(2, chain.size(), chain.toString());
            OutputIsSourceException e = assertThrows(OutputIsSourceException.class,
                    () -> SourceGuard.check(chain, List.of(dir.resolve("./base.qcow2"))));
            assertTrue(e.getMessage().contains("base.qcow2"), e.getMessage());
        }
    }
}
