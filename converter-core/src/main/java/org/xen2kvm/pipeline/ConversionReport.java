package org.xen2kvm.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.xen2kvm.JsonStyle;
import org.xen2kvm.plan.DeviceMapping;
import org.xen2kvm.image.write.OutputSpace;
import org.xen2kvm.guest.KernelReport;
import org.xen2kvm.guest.KernelVerdict;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.DiskCopy;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuestJson;
import org.xen2kvm.kvm.TargetDomain;
import org.xen2kvm.kvm.TargetNic;

/** Renders a conversion (or its dry-run plan) for people and for scripts. */
public final class ConversionReport {
    private ConversionReport() {
    }

    /** The plan and outcome as text: devices, disks, boot, edits as unified diffs, warnings, XML. */
    public static String text(ConversionResult r, boolean dryRun) {
        ConversionPlan p = r.plan();
        TargetDomain t = p.target();
        StringBuilder sb = new StringBuilder();
        sb.append(dryRun ? "Plan (dry run: nothing is written)" : "Conversion").append(" for ").append(t.name())
                .append(" from ").append(p.source().origin().label()).append(" definition ")
                .append(p.source().sourceFile()).append('\n');
        sb.append("  domain:   ").append(t.name()).append("  uuid ").append(t.uuid()).append("  type ").append(t.domainType().label())
                .append("  memory ").append(t.memoryKiB() / 1024).append(" MiB (current ").append(t.currentMemoryKiB() / 1024)
                .append(")  vcpus ").append(t.vcpus()).append(" (current ").append(t.currentVcpus()).append(")\n");
        if (r.inspected() != null && r.inspected().os() != null) {
            sb.append("  guest:    ").append(r.inspected().os().prettyName()).append('\n');
        }
        if (r.inspected() != null && !r.inspected().verdicts().isEmpty()) {
            sb.append("  kernels:\n");
            for (KernelVerdict v : r.inspected().verdicts()) {
                sb.append("    ").append(v.release()).append(": ").append(KernelReport.verdictLine(v)).append('\n');
            }
            sb.append("    chosen: ").append(KernelReport.choiceLine(r.inspected().kernelChoice())).append('\n');
        }
        sb.append("  boot:     ").append(p.bootNote()).append('\n');
        if (t.directBoot() != null) {
            sb.append("            kernel ").append(t.directBoot().kernel()).append('\n');
            if (t.directBoot().initrd() != null) {
                sb.append("            initrd ").append(t.directBoot().initrd()).append('\n');
            }
            sb.append("            cmdline ").append(t.directBoot().cmdline()).append('\n');
        }
        sb.append("  devices:\n");
        for (DeviceMapping m : p.deviceMap().mappings()) {
            sb.append(String.format("    %-8s -> %-5s (%s%s)%s%n", m.xenVdev(), m.kvmTarget(), m.bus(),
                    m.cdrom() ? ", cdrom" : "",
                    m.partitionAsDisk() ? "  partition given as a whole disk: the guest's /dev/" + m.xenVdev()
                            + " is now " + m.kvmGuestPath() : ""));
        }
        sb.append("  disks:\n");
        for (DiskCopy c : p.copies()) {
            SourceDisk d = p.source().disks().get(c.sourceIndex());
            sb.append("    ").append(c.sourcePath()).append(" (")
                    .append(c.sourceFormat() == null ? "format probed" : c.sourceFormat().label()
                            + (c.formatDeclared() ? ", declared" : ""))
                    .append(d.readOnly() ? ", read-only" : "").append(") -> ").append(c.outputPath()).append(" (")
                    .append(c.outputFormat().label()).append(")\n");
        }
        space(sb, r.space());
        if (!t.nics().isEmpty()) {
            sb.append("  network:\n");
            for (TargetNic n : t.nics()) {
                sb.append("    ").append(n.mac() == null ? "(no mac)" : n.mac()).append(" -> ")
                        .append(n.network() ? "network " : "bridge ").append(n.source()).append(" (")
                        .append(n.model()).append(")\n");
            }
        }
        if (!r.installedKernels().isEmpty()) {
            sb.append("  installed kernels:\n");
            for (String k : r.installedKernels()) {
                sb.append("    - ").append(k).append('\n');
            }
        }
        if (r.edits() != null) {
            String diff = r.edits().unifiedDiff();
            sb.append("  guest edits:").append(diff.isEmpty() ? " none\n" : "\n");
            for (String line : diff.split("\n", -1)) {
                if (!line.isEmpty()) {
                    sb.append("    ").append(line).append('\n');
                }
            }
        }
        if (!p.warnings().isEmpty()) {
            sb.append("  warnings:\n");
            for (String w : p.warnings()) {
                sb.append("    - ").append(w).append('\n');
            }
        }
        if (dryRun) {
            sb.append("  domain XML:\n");
            for (String line : r.domainXml().split("\n")) {
                sb.append("    ").append(line).append('\n');
            }
        } else {
            sb.append("  written:\n");
            for (Path o : r.outputs()) {
                sb.append("    ").append(o).append('\n');
            }
            if (r.registered() != null) {
                sb.append("  registered: ").append(r.registered()).append('\n');
            }
            if (r.boot() != null) {
                sb.append("  boot check: ").append(r.boot().booted() ? "login prompt after "
                        + seconds(r.boot().timeToPrompt()) + " s" : "no login prompt").append('\n');
            }
            sb.append("  time:    ");
            for (Map.Entry<String, Duration> e : r.timings().entrySet()) {
                sb.append(' ').append(e.getKey()).append(' ').append(seconds(e.getValue())).append(" s");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The data each disk writes and the room for it, so a full output is known before the copy. */
    private static void space(StringBuilder sb, OutputSpace s) {
        if (s == null) {
            return;
        }
        sb.append("  space:    ").append(s.summary()).append('\n');
        for (OutputSpace.DiskNeed d : s.disks()) {
            sb.append("    ").append(d.output()).append(": about ").append(OutputSpace.human(d.dataBytes()))
                    .append(" of data (").append(d.dataBytes()).append(" bytes)\n");
        }
    }

    private static String seconds(Duration d) {
        return String.format("%.2f", d.toNanos() / 1e9);
    }

    /** The same as one JSON object. */
    public static String json(ConversionResult r, boolean dryRun) {
        ConversionPlan p = r.plan();
        TargetDomain t = p.target();
        ObjectNode o = JsonStyle.object();
        o.put("dryRun", dryRun);
        o.set("source", SourceGuestJson.tree(p.source()));
        o.putObject("target")
                .put("name", t.name())
                .put("uuid", t.uuid())
                .put("domainType", t.domainType().label())
                .put("memoryMiB", t.memoryKiB() / 1024)
                .put("currentMemoryMiB", t.currentMemoryKiB() / 1024)
                .put("vcpus", t.vcpus())
                .put("currentVcpus", t.currentVcpus());
        o.putObject("boot")
                .put("strategy", p.boot().name().toLowerCase(java.util.Locale.ROOT))
                .put("note", p.bootNote())
                .put("kernel", t.directBoot() == null ? null : t.directBoot().kernel())
                .put("initrd", t.directBoot() == null ? null : t.directBoot().initrd())
                .put("cmdline", t.directBoot() == null ? null : t.directBoot().cmdline());
        ArrayNode deviceMap = o.putArray("deviceMap");
        for (DeviceMapping m : p.deviceMap().mappings()) {
            deviceMap.addObject()
                    .put("xen", m.xenVdev())
                    .put("kvm", m.kvmTarget())
                    .put("bus", m.bus())
                    .put("cdrom", m.cdrom())
                    .put("partitionAsDisk", m.partitionAsDisk())
                    .put("guestPath", m.kvmGuestPath());
        }
        ArrayNode disks = o.putArray("disks");
        for (DiskCopy c : p.copies()) {
            disks.addObject()
                    .put("source", c.sourcePath())
                    .put("sourceFormat", c.sourceFormat() == null ? null : c.sourceFormat().label())
                    .put("formatDeclared", c.formatDeclared())
                    .put("output", c.outputPath().toString())
                    .put("outputFormat", c.outputFormat().label())
                    .put("target", c.targetDev());
        }
        o.set("space", spaceJson(r.space()));
        if (r.inspected() == null) {
            o.putNull("guest");
        } else {
            ObjectNode guest = o.putObject("guest");
            guest.put("os", r.inspected().os() == null ? null : r.inspected().os().prettyName());
            ArrayNode kernels = guest.putArray("kernels");
            r.inspected().kernels().forEach(k -> kernels.add(k.version()));
            ArrayNode verdicts = guest.putArray("kernelVerdicts");
            for (KernelVerdict v : r.inspected().verdicts()) {
                KernelReport.verdictFields(verdicts.addObject().put("version", v.release()).put("kernel", v.kernelPath())
                        .put("initrd", v.initrdPath()).put("xenOnly", v.xenOnly()), v);
            }
            guest.set("kernelChoice", KernelReport.choice(r.inspected().kernelChoice()));
        }
        o.set("installedKernels", JsonStyle.strings(r.installedKernels()));
        o.put("edits", r.edits() == null ? null : r.edits().unifiedDiff());
        o.set("warnings", JsonStyle.strings(p.warnings()));
        o.put("domainXml", r.domainXml());
        o.set("outputs", JsonStyle.strings(r.outputs().stream().map(Path::toString).toList()));
        o.put("registered", r.registered());
        if (r.boot() == null) {
            o.putNull("bootCheck");
        } else {
            o.putObject("bootCheck")
                    .put("booted", r.boot().booted())
                    .put("secondsToLogin", r.boot().timeToPrompt() == null ? null
                            : Double.valueOf(r.boot().timeToPrompt().toMillis() / 1000.0))
                    .put("consoleLog", r.boot().consoleLog() == null ? null : r.boot().consoleLog().toString());
        }
        ObjectNode seconds = o.putObject("seconds");
        r.timings().forEach((k, v) -> seconds.put(k, v.toMillis() / 1000.0));
        return JsonStyle.pretty(o);
    }

    private static ObjectNode spaceJson(OutputSpace s) {
        if (s == null) {
            return null;
        }
        ObjectNode o = JsonStyle.object()
                .put("fileSystem", s.fileSystem().toString())
                .put("freeBytes", s.freeBytes())
                .put("neededBytes", s.neededBytes())
                .put("enough", !s.tooSmall());
        ArrayNode disks = o.putArray("disks");
        for (OutputSpace.DiskNeed d : s.disks()) {
            disks.addObject().put("output", d.output().toString()).put("dataBytes", d.dataBytes());
        }
        return o;
    }
}
