package org.xen2kvm.guest;

/**
 * A stable, human-readable dump of an {@link InspectedGuest}, for the CLI's inspection
 * output and for golden tests.
 */
public final class InspectionReport {

    private InspectionReport() {
    }

    public static String format(InspectedGuest g) {
        StringBuilder sb = new StringBuilder();
        sb.append("os: ").append(g.os().prettyName()).append(" (id=").append(g.os().id())
                .append(" version=").append(g.os().versionId().isEmpty() ? "?" : g.os().versionId())
                .append(" family=").append(g.os().family()).append(")\n");
        sb.append("init: ").append(g.initSystem()).append('\n');
        sb.append("kernels:\n");
        if (g.kernels().isEmpty()) {
            sb.append("  (none in /boot)\n");
        }
        for (KernelInfo k : g.kernels()) {
            sb.append("  ").append(k.version()).append(": ").append(k.vmlinuzPath())
                    .append(", initrd ").append(k.initrdPath() == null ? "none" : k.initrdPath())
                    .append(k.xenOnly() ? " [Xen only]" : "").append('\n');
        }
        BootloaderInfo b = g.bootloader();
        sb.append("bootloader: ").append(b.kind());
        if (b.configPath() != null) {
            sb.append(' ').append(b.configPath());
        }
        sb.append('\n');
        for (int i = 0; i < b.entries().size(); i++) {
            BootEntry e = b.entries().get(i);
            sb.append(i == b.defaultEntry() ? "  * " : "    ").append(e.title()).append(": ").append(e.kernelPath())
                    .append(' ').append(e.cmdline()).append('\n');
        }
        sb.append("fstab:\n");
        if (g.fstab() == null) {
            sb.append("  (missing)\n");
        } else {
            for (FstabEntry e : g.fstab().entries()) {
                sb.append("  ").append(e.spec()).append(' ').append(e.mountPoint()).append(' ').append(e.type())
                        .append(' ').append(e.options()).append('\n');
            }
        }
        sb.append("network: ").append(g.network().styles()).append(" interfaces ").append(g.network().interfaces()).append('\n');
        sb.append("consoles: ").append(g.consoles()).append('\n');
        for (String w : g.warnings()) {
            sb.append("warning: ").append(w).append('\n');
        }
        return sb.toString();
    }
}
