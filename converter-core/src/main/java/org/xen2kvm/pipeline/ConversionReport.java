package org.xen2kvm.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.xen2kvm.plan.DeviceMapping;
import org.xen2kvm.image.write.OutputSpace;
import org.xen2kvm.guest.KernelReport;
import org.xen2kvm.guest.KernelVerdict;
import org.xen2kvm.json.JsonWriter;
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
        JsonWriter w = new JsonWriter().beginObject();
        w.name("dryRun").value(dryRun);
        w.name("source");
        SourceGuestJson.write(w, p.source());
        w.name("target").beginObject();
        w.name("name").value(t.name());
        w.name("uuid").value(t.uuid());
        w.name("domainType").value(t.domainType().label());
        w.name("memoryMiB").value(t.memoryKiB() / 1024);
        w.name("currentMemoryMiB").value(t.currentMemoryKiB() / 1024);
        w.name("vcpus").value(t.vcpus());
        w.name("currentVcpus").value(t.currentVcpus());
        w.endObject();
        w.name("boot").beginObject();
        w.name("strategy").value(p.boot().name().toLowerCase(java.util.Locale.ROOT));
        w.name("note").value(p.bootNote());
        w.name("kernel").value(t.directBoot() == null ? null : t.directBoot().kernel());
        w.name("initrd").value(t.directBoot() == null ? null : t.directBoot().initrd());
        w.name("cmdline").value(t.directBoot() == null ? null : t.directBoot().cmdline());
        w.endObject();
        w.name("deviceMap").beginArray();
        for (DeviceMapping m : p.deviceMap().mappings()) {
            w.beginObject();
            w.name("xen").value(m.xenVdev());
            w.name("kvm").value(m.kvmTarget());
            w.name("bus").value(m.bus());
            w.name("cdrom").value(m.cdrom());
            w.name("partitionAsDisk").value(m.partitionAsDisk());
            w.name("guestPath").value(m.kvmGuestPath());
            w.endObject();
        }
        w.endArray();
        w.name("disks").beginArray();
        for (DiskCopy c : p.copies()) {
            w.beginObject();
            w.name("source").value(c.sourcePath());
            w.name("sourceFormat").value(c.sourceFormat() == null ? null : c.sourceFormat().label());
            w.name("formatDeclared").value(c.formatDeclared());
            w.name("output").value(c.outputPath().toString());
            w.name("outputFormat").value(c.outputFormat().label());
            w.name("target").value(c.targetDev());
            w.endObject();
        }
        w.endArray();
        spaceJson(w.name("space"), r.space());
        w.name("guest");
        if (r.inspected() == null) {
            w.nullValue();
        } else {
            w.beginObject();
            w.name("os").value(r.inspected().os() == null ? null : r.inspected().os().prettyName());
            w.name("kernels").beginArray();
            r.inspected().kernels().forEach(k -> w.value(k.version()));
            w.endArray();
            w.name("kernelVerdicts").beginArray();
            for (KernelVerdict v : r.inspected().verdicts()) {
                w.beginObject().name("version").value(v.release()).name("kernel").value(v.kernelPath())
                        .name("initrd").value(v.initrdPath()).name("xenOnly").value(v.xenOnly());
                KernelReport.verdictFields(w, v);
                w.endObject();
            }
            w.endArray();
            KernelReport.choice(w.name("kernelChoice"), r.inspected().kernelChoice());
            w.endObject();
        }
        stringArray(w.name("installedKernels"), r.installedKernels());
        w.name("edits").value(r.edits() == null ? null : r.edits().unifiedDiff());
        stringArray(w.name("warnings"), p.warnings());
        w.name("domainXml").value(r.domainXml());
        stringArray(w.name("outputs"), r.outputs().stream().map(Path::toString).toList());
        w.name("registered").value(r.registered());
        w.name("bootCheck");
        if (r.boot() == null) {
            w.nullValue();
        } else {
            w.beginObject();
            w.name("booted").value(r.boot().booted());
            w.name("secondsToLogin").value(r.boot().timeToPrompt() == null ? null
                    : (Number) (r.boot().timeToPrompt().toMillis() / 1000.0));
            w.name("consoleLog").value(r.boot().consoleLog() == null ? null : r.boot().consoleLog().toString());
            w.endObject();
        }
        w.name("seconds").beginObject();
        r.timings().forEach((k, v) -> w.name(k).value((Number) (v.toMillis() / 1000.0)));
        w.endObject();
        w.endObject();
        return w.toString();
    }

    private static void spaceJson(JsonWriter w, OutputSpace s) {
        if (s == null) {
            w.nullValue();
            return;
        }
        w.beginObject();
        w.name("fileSystem").value(s.fileSystem().toString());
        w.name("freeBytes").value(s.freeBytes());
        w.name("neededBytes").value(s.neededBytes());
        w.name("enough").value(!s.tooSmall());
        w.name("disks").beginArray();
        for (OutputSpace.DiskNeed d : s.disks()) {
            w.beginObject();
            w.name("output").value(d.output().toString());
            w.name("dataBytes").value(d.dataBytes());
            w.endObject();
        }
        w.endArray();
        w.endObject();
    }

    private static void stringArray(JsonWriter w, List<String> items) {
        w.beginArray();
        for (String s : items) {
            w.value(s);
        }
        w.endArray();
    }
}
