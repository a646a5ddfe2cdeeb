package org.xen2kvm.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.xen2kvm.testutil.ExternalTool;

/**
 * What the real-boot tests need from the host: a running libvirt daemon for
 * {@code qemu:///system} and a kernel plus static busybox from
 * {@code testdata/fetch-test-kernel.sh}. Missing pieces skip the tests locally and fail
 * them in CI (CI=true), where the workflow must provide them.
 */
public final class QemuTestEnvironment {
    static final String URI = "qemu:///system";
    private static final Path FETCH_SCRIPT = Path.of("..", "testdata", "fetch-test-kernel.sh");

    private QemuTestEnvironment() {
    }

    static void require(boolean condition, String what) {
        ExternalTool.requireThat(condition, what);
    }

    /** Connects to qemu:///system, or skips/fails naming why not. */
    public static LibvirtRegistrar connect() {
        try {
            return LibvirtRegistrar.connect(URI);
        } catch (LibvirtUnreachableException e) {
            require(false, "libvirt daemon not reachable (start it with: virtlogd -d; libvirtd -d): " + e.getMessage());
            throw e;
        }
    }

    public record Kernel(Path vmlinuz, Path busybox) {
    }

    /** Runs the fetch script (cached after the first run) and parses its key=value output. */
    public static Kernel kernel() throws IOException, InterruptedException {
        require(Files.isExecutable(FETCH_SCRIPT), FETCH_SCRIPT.toAbsolutePath() + " is missing");
        Process p = new ProcessBuilder("sh", FETCH_SCRIPT.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        require(done && p.exitValue() == 0, FETCH_SCRIPT + " failed (needs apt-get and dpkg-deb): " + out);
        Path vmlinuz = null;
        Path busybox = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("kernel=")) {
                vmlinuz = Path.of(line.substring("kernel=".length()));
            } else if (line.startsWith("busybox=")) {
                busybox = Path.of(line.substring("busybox=".length()));
            }
        }
        require(vmlinuz != null && busybox != null, FETCH_SCRIPT + " printed no kernel/busybox paths: " + out);
        return new Kernel(vmlinuz, busybox);
    }

    /**
     * A TCG (type='qemu': KVM is not usable on every test host) domain booting the kernel
     * directly with the given initramfs, with the serial console the converter writes.
     */
    static String directBootXml(String name, String uuid, Path vmlinuz, Path initrd) {
        return "<domain type='qemu'>\n"
                + "  <name>" + name + "</name>\n"
                + "  <uuid>" + uuid + "</uuid>\n"
                + "  <memory unit='MiB'>256</memory>\n"
                + "  <vcpu>1</vcpu>\n"
                + "  <os>\n"
                + "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                + "    <kernel>" + vmlinuz.toAbsolutePath() + "</kernel>\n"
                + "    <initrd>" + initrd.toAbsolutePath() + "</initrd>\n"
                + "    <cmdline>console=ttyS0 panic=-1</cmdline>\n"
                + "  </os>\n"
                // Without ACPI, "poweroff" only halts the CPU and the domain keeps running.
                + "  <features><acpi/></features>\n"
                + "  <on_poweroff>destroy</on_poweroff>\n"
                + "  <on_reboot>destroy</on_reboot>\n"
                + "  <on_crash>destroy</on_crash>\n"
                + "  <devices>\n"
                + "    <serial type='pty'><target port='0'/></serial>\n"
                + "    <console type='pty'><target type='serial' port='0'/></console>\n"
                + "    <memballoon model='none'/>\n"
                + "  </devices>\n"
                + "</domain>\n";
    }
}
