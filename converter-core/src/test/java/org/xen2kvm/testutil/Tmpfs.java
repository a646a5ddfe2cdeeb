package org.xen2kvm.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

/**
 * A small tmpfs: a real file system that fills up, for disk-full tests. Mounting needs root,
 * which CI has: there a failed mount fails the test; elsewhere it skips.
 */
public final class Tmpfs {
    private Tmpfs() {
    }

    public static void mount(Path at, String size) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs",
                at.toString()));
        ExternalTool.requireThat(r.exitCode() == 0, "a tmpfs mount (needs root; CI runs as root): " + r.output().strip());
    }

    public static void unmount(Path at) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("umount", at.toString()));
        assertEquals(0, r.exitCode(), r.output());
    }
}
