package org.xen2kvm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.xen2kvm.JsonStyle;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.guest.OsInfo;
import org.xen2kvm.guest.PackageManager;
import org.xen2kvm.guest.KernelReport;
import org.xen2kvm.pipeline.GuestInspection;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceGuestJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code xen2kvm inspect}: what a Xen guest is, from its definition and (unless told not to) its disks. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a Xen guest as xen2kvm reads it: its definition and, unless --config-only, "
                + "what is inside its disks (OS, kernels, bootloader, fstab). Changes nothing.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", arity = "1..*",
            description = "xl/xm config, xend SXP, libvirt Xen XML or XenServer .xva/ova.xml.")
    List<Path> configs;

    @Option(names = "--config-only", description = "Read only the definition; do not open the disks.")
    boolean configOnly;

    @Option(names = "--json", description = "Print JSON (one object, or an array for several files).")
    boolean json;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Definition format: xl, xm, sxp, libvirt, xva (default: detected).")
    String format;

    @Option(names = "--allow-backing", description = "Let probed images follow backing files outside their directory.")
    boolean allowBacking;

    @Override
    public Integer call() throws Exception {
        ConfigFormat forced = CliSupport.configFormat(format);
        ArrayNode documents = JsonStyle.array();
        StringBuilder text = new StringBuilder();
        for (Path config : configs) {
            if (configOnly) {
                SourceGuest g = GuestDefinitionReader.read(config, forced);
                if (json) {
                    ObjectNode o = documents.addObject().put("file", config.toString()).put("format", g.origin().label());
                    o.set("source", SourceGuestJson.tree(g));
                    o.set("warnings", JsonStyle.strings(g.warnings()));
                } else {
                    text.append(config).append(" (").append(g.origin().label()).append(")\n")
                            .append(SourceGuestJson.toJson(g)).append('\n');
                    g.warnings().forEach(x -> text.append("warning: ").append(x).append('\n'));
                }
            } else {
                GuestInspection.Result r = GuestInspection.run(config, forced, allowBacking);
                if (json) {
                    ObjectNode o = documents.addObject().put("file", config.toString())
                            .put("format", r.source().origin().label());
                    o.set("source", SourceGuestJson.tree(r.source()));
                    o.set("volumes", JsonStyle.strings(r.volumes()));
                    o.set("lvm", LvmInspectOutput.json(r.lvm()));
                    o.set("guest", guest(r.guest()));
                    o.set("warnings", JsonStyle.strings(r.warnings()));
                } else {
                    text.append(describe(config, r));
                }
            }
        }
        if (json) {
            // One file: its object; several: an array of them.
            spec.commandLine().getOut().println(JsonStyle.pretty(configs.size() > 1 ? documents : documents.get(0)));
        } else {
            spec.commandLine().getOut().print(text);
        }
        return 0;
    }

    private static String describe(Path config, GuestInspection.Result r) {
        StringBuilder sb = new StringBuilder();
        SourceGuest s = r.source();
        sb.append(config).append(": ").append(s.name()).append(" (").append(s.origin().label()).append(", ")
                .append(s.virtType() == null ? "pv" : s.virtType().label()).append(")\n");
        r.volumes().forEach(v -> sb.append("  volume  ").append(v).append('\n'));
        sb.append(LvmInspectOutput.text(r.lvm()));
        InspectedGuest g = r.guest();
        if (g != null) {
            sb.append("  os      ").append(g.os() == null ? "unknown" : g.os().prettyName()).append('\n');
            if (g.os() != null) {
                OsInfo os = g.os();
                sb.append("  distro  ").append(os.id()).append(os.versionId().isEmpty() ? "" : " " + os.versionId())
                        .append(" (").append(os.family().name().toLowerCase(Locale.ROOT)).append(" family")
                        .append(os.releaseFile().isEmpty() ? "" : ", from " + os.releaseFile())
                        .append(os.packageManager() == PackageManager.UNKNOWN ? ""
                                : ", " + os.packageManager().name().toLowerCase(Locale.ROOT)).append(")\n");
            }
            for (int i = 0; i < g.kernels().size(); i++) {
                KernelInfo k = g.kernels().get(i);
                sb.append("  kernel  ").append(k.version()).append(k.xenOnly() ? " (Xen only)" : "").append("  ")
                        .append(k.vmlinuzPath()).append(k.initrdPath() != null ? " + " + k.initrdPath() : "").append('\n');
                if (i < g.verdicts().size()) {
                    sb.append("          ").append(KernelReport.verdictLine(g.verdicts().get(i))).append('\n');
                }
            }
            if (!g.kernels().isEmpty()) {
                sb.append("  choice  ").append(KernelReport.choiceLine(g.kernelChoice())).append('\n');
            }
            sb.append("  boot    ").append(g.bootloader() == null ? "none" : g.bootloader().kind()
                    + (g.bootloader().configPath() != null ? " " + g.bootloader().configPath() : "")).append('\n');
            sb.append("  init    ").append(g.initSystem()).append('\n');
            sb.append("  console ").append(String.join(", ", g.consoles())).append('\n');
        }
        r.warnings().forEach(x -> sb.append("  warning: ").append(x).append('\n'));
        return sb.toString();
    }

    private static ObjectNode guest(InspectedGuest g) {
        if (g == null) {
            return null;
        }
        ObjectNode o = JsonStyle.object()
                .put("os", g.os() == null ? null : g.os().prettyName())
                .put("osId", g.os() == null ? null : g.os().id())
                .put("osVersion", g.os() == null ? null : g.os().versionId())
                .put("osFamily", g.os() == null ? null : g.os().family().name().toLowerCase(Locale.ROOT))
                .put("osReleaseFile", g.os() == null || g.os().releaseFile().isEmpty() ? null : g.os().releaseFile())
                .put("packageManager", g.os() == null || g.os().packageManager() == PackageManager.UNKNOWN ? null
                        : g.os().packageManager().name().toLowerCase(Locale.ROOT));
        ArrayNode kernels = o.putArray("kernels");
        for (int i = 0; i < g.kernels().size(); i++) {
            KernelInfo k = g.kernels().get(i);
            ObjectNode kernel = kernels.addObject().put("version", k.version()).put("kernel", k.vmlinuzPath())
                    .put("initrd", k.initrdPath()).put("xenOnly", k.xenOnly());
            if (i < g.verdicts().size()) {
                KernelReport.verdictFields(kernel, g.verdicts().get(i));
            }
        }
        o.set("kernelChoice", KernelReport.choice(g.kernelChoice()));
        o.put("bootloader", g.bootloader() == null ? null : g.bootloader().kind().name().toLowerCase());
        o.put("bootloaderConfig", g.bootloader() == null ? null : g.bootloader().configPath());
        o.put("init", g.initSystem() == null ? null : g.initSystem().name().toLowerCase());
        o.set("consoles", JsonStyle.strings(g.consoles()));
        return o;
    }
}
