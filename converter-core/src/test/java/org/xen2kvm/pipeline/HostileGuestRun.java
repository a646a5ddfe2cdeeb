package org.xen2kvm.pipeline;

import java.io.FilePermission;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.util.List;
import java.util.Map;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.plan.PlanOptions;

/**
 * Child-JVM entry point for {@link HostileGuestIT}: runs one conversion ({@code convert CFG
 * OUT}, {@code dry-run CFG OUT}) or inspection ({@code inspect CFG}) under a security manager
 * that refuses to open the host files a hostile guest's symlinks name, then prints the
 * report, {@code ERROR: message} on failure, and the peak heap and resident set sizes.
 */
public final class HostileGuestRun {
    /** Host paths the guests' symlinks point at; opening any of them is the bug we look for. */
    static final List<String> HOST_FILES = List.of("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/fstab",
            "/etc/inittab", "/etc/modprobe.d", "/boot", "/etc/default/grub");

    private HostileGuestRun() {
    }

    @SuppressWarnings("removal")
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path cfg = Path.of(args[1]);
        // Classes the run needs are loaded before the guard goes up: the JDK itself opens jars, not /etc.
        Class.forName(Converter.class.getName());
        System.setSecurityManager(new SecurityManager() {
            @Override
            public void checkPermission(Permission p) {
                if (p instanceof FilePermission) {
                    String f = Path.of(p.getName()).toAbsolutePath().normalize().toString();
                    for (String h : HOST_FILES) {
                        if (f.equals(h) || f.startsWith(h + "/")) {
                            System.out.println("HOST-ACCESS: " + p.getActions() + " " + f);
                            throw new SecurityException("host file " + f + " touched");
                        }
                    }
                }
            }
        });
        int exit = 0;
        try {
            if (mode.equals("inspect")) {
                GuestInspection.Result r = GuestInspection.run(cfg, null, false);
                System.out.println("GUEST: " + r.guest());
                r.warnings().forEach(w -> System.out.println("WARNING: " + w));
            } else {
                boolean dry = mode.equals("dry-run");
                PlanOptions plan = new PlanOptions(org.xen2kvm.kvm.DomainType.QEMU, Path.of(args[2]), org.xen2kvm.image.write.OutputFormat.RAW,
                        Map.of(), Map.of(), false, null);
                ConversionRequest req = new ConversionRequest(cfg, null, plan, dry, false, CopyOptions.DEFAULT, false, null,
                        false, false, null);
                ConversionResult r = Converter.run(req, ConversionListener.NONE);
                System.out.println(ConversionReport.text(r, dry));
            }
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            System.out.println("ERROR: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            exit = e instanceof Error ? 3 : 1;
        }
        System.setSecurityManager(null);
        long heap = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            if (b.getType() == MemoryType.HEAP) {
                heap += b.getPeakUsage().getUsed();
            }
        }
        System.out.println("PEAK-HEAP-MIB: " + (heap >> 20));
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) {
                System.out.println("PEAK-RSS-KIB: " + l.replaceAll("\\D", ""));
            }
        }
        System.out.flush();
        System.exit(exit);
    }
}
