package org.xen2kvm.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xen2kvm.libvirt.LibvirtRegistrar;
import org.xen2kvm.libvirt.RegisteredDomain;
import org.xen2kvm.testutil.ExternalTool;

/**
 * What an end-to-end test made on this machine and removes after it: the libvirt domains it
 * defined (undefined if still there) and the output folders it wrote (deleted with everything
 * in them). The test guests themselves are only read.
 */
final class Leftovers {
    private final String uri;
    private final List<RegisteredDomain> domains = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    Leftovers(String uri) {
        this.uri = uri;
    }

    /** The folder of test guests an environment variable names, which test.sh builds and sets. */
    static Path guestsFrom(String variable, String builtBy) {
        String dir = System.getenv(variable);
        ExternalTool.requireThat(dir != null && Files.isDirectory(Path.of(dir)),
                variable + " is not set or not a folder; ./test.sh builds the test guests (" + builtBy + ") and sets it");
        return Path.of(dir);
    }

    RegisteredDomain domain(RegisteredDomain d) {
        domains.add(d);
        return d;
    }

    /** The domains recorded so far, oldest first. */
    List<RegisteredDomain> domains() {
        return List.copyOf(domains);
    }

    Path dir(Path d) {
        dirs.add(d);
        return d;
    }

    /** A fresh output folder under /var/tmp/xen2kvm-e2e that libvirt's QEMU (another user) can reach; removed after. */
    Path outputDir(String prefix) throws IOException {
        Path base = Path.of("/var/tmp/xen2kvm-e2e");
        Files.createDirectories(base);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path d = Files.createTempDirectory(base, prefix + "-");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir(d);
    }

    void removeAll() throws IOException {
        try (LibvirtRegistrar r = LibvirtRegistrar.connect(uri)) {
            for (RegisteredDomain d : domains) {
                if (r.exists(d)) {
                    r.undefine(d);
                }
            }
        }
        domains.clear();
        for (Path dir : dirs) {
            if (!Files.exists(dir)) {
                continue;
            }
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        dirs.clear();
    }
}
