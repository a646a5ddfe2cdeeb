package org.xen2kvm.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.testutil.ExternalTool;

/**
 * A guest for the tests holding the module tree of the Debian cloud kernel that
 * testdata/fetch-test-modules.sh unpacks under {@code /lib/modules/RELEASE} (through Debian 12's
 * {@code /lib -> usr/lib}), and an empty {@code /boot}.
 */
final class GuestWithKernel {
    /** The cloud kernel's tree is ~100 MiB. */
    private static final long CAPACITY = 512L << 20;
    private static Path modules;
    private static String release;

    private GuestWithKernel() {
    }

    /** The cached tree's root ({@code ROOT/lib/modules/RELEASE}) and release, fetched once per JVM. */
    static synchronized String release() throws Exception {
        if (release == null) {
            ExternalTool.require("sh", "dpkg-deb", "depmod");
            ExternalTool.Result r = ExternalTool.run(List.of("sh",
                    ExternalTool.projectRoot().resolve("testdata/fetch-test-modules.sh").toString()));
            ExternalTool.requireThat(r.exitCode() == 0, "testdata/fetch-test-modules.sh failed: " + r.output());
            for (String line : r.output().split("\n")) {
                if (line.startsWith("release=")) {
                    release = line.substring("release=".length()).trim();
                } else if (line.startsWith("root=")) {
                    modules = Path.of(line.substring("root=".length()).trim()).resolve("lib/modules");
                }
            }
        }
        return release;
    }

    /** A writable guest in memory with the kernel's modules as release {@code as}, merged /usr as Debian 12 has it. */
    static MemoryFileSystem create(String as) throws Exception {
        Path from = modules.resolve(release());
        MemoryFileSystem fs = new MemoryFileSystem("guest with kernel " + as, CAPACITY);
        fs.dir("/usr/lib/modules").link("/lib", "usr/lib").dir("/boot");
        String to = "/usr/lib/modules/" + as;
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String target = to + "/" + from.relativize(p);
                if (Files.isDirectory(p)) {
                    fs.mkdirs(target);
                } else {
                    fs.writeFile(target, Files.readAllBytes(p), 0644, 0, 0);
                }
            }
        }
        return fs;
    }
}
