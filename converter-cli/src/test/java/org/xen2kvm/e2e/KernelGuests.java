package org.xen2kvm.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.xen2kvm.testutil.ExternalTool;

/**
 * The kernel-swap test guests built by {@code testdata/build-kernel-guests.sh}, found through
 * {@code XEN2KVM_KERNEL_GUESTS} (test.sh sets it), and the facts its {@code BUILD-INFO} records.
 *
 * @param dir                the output directory of the build script
 * @param kernel             the release of the guests' own kernel ({@code uname -r})
 * @param cloudKernelDeb     Debian's {@code linux-image-*-cloud-amd64} package, for {@code --install-kernel}
 * @param cloudKernelRelease the release that package installs
 */
record KernelGuests(Path dir, String kernel, Path cloudKernelDeb, String cloudKernelRelease) {
    static final String ENVIRONMENT = "XEN2KVM_KERNEL_GUESTS";

    /** The guests of this machine's build, or a skip (a failure under CI=true) naming what is missing. */
    static KernelGuests fromEnvironment() throws IOException {
        String dir = System.getenv(ENVIRONMENT);
        ExternalTool.requireThat(dir != null && Files.isRegularFile(Path.of(dir, "BUILD-INFO")),
                ENVIRONMENT + " is not set or has no BUILD-INFO; ./test.sh builds the kernel-swap guests with "
                        + "testdata/build-kernel-guests.sh and sets it");
        Path root = Path.of(dir);
        Map<String, String> info = new HashMap<>();
        for (String line : Files.readAllLines(root.resolve("BUILD-INFO"), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                info.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new KernelGuests(root, required(info, root, "kernel"),
                root.resolve(required(info, root, "cloud_kernel_deb")), required(info, root, "cloud_kernel_release"));
    }

    private static String required(Map<String, String> info, Path root, String key) {
        String value = info.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(root.resolve("BUILD-INFO") + ": no " + key
                    + "= line; rebuild with testdata/build-kernel-guests.sh");
        }
        return value;
    }

    Path guest(String name) {
        return dir.resolve(name);
    }

    /** The xl config a Xen host would have for {@code name}. */
    Path config(String name) {
        return guest(name).resolve(name + ".cfg");
    }
}
