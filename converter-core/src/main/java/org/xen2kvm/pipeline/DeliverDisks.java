package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xen2kvm.kvm.DirectBoot;
import org.xen2kvm.kvm.TargetDisk;
import org.xen2kvm.kvm.TargetDomain;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.DiskCopy;

/**
 * Hands the written disks (and a direct-boot kernel and initrd) to their destination: they
 * stay in the output directory, or go into a storage pool, and the domain is pointed at where
 * they are now. Copies handed to a pool are removed from the output directory once uploaded:
 * the conversion host keeps no more than the copy needed.
 */
final class DeliverDisks extends PipelineStep {
    DeliverDisks() {
        super("deliver-disks", "register", WRITES);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        DiskDestination destination = run.request().disks();
        if (destination instanceof DiskDestination.LocalFiles) {
            return;
        }
        ConversionPlan plan = run.get(Facts.PLAN);
        TargetDomain t = plan.target();
        List<Path> files = new ArrayList<>(plan.copies().stream().map(DiskCopy::outputPath).toList());
        DirectBoot boot = t.directBoot();
        List<Path> bootFiles = boot == null ? List.of()
                : java.util.stream.Stream.of(boot.kernel(), boot.initrd()).filter(f -> f != null).map(Path::of)
                        .filter(f -> run.cleanup().outputs().files().contains(f)).toList();
        files.addAll(bootFiles);
        run.stage("upload", plan.copies().size() + " disk(s)" + (bootFiles.isEmpty() ? "" : " and the boot files")
                + " to " + destination);
        // A run killed after its upload left the volumes: the marker says this is that conversion again.
        boolean replace = run.request().replace() || run.get(Facts.RUN_MARKER).resumed();
        Map<Path, String> where = destination.deliver(files, run.get(Facts.REGISTRATION), replace);
        for (Path f : files) {
            run.cleanup().outputs().handedOver(f);
        }
        List<TargetDisk> disks = new ArrayList<>();
        for (TargetDisk d : t.disks()) {
            String moved = d.sourcePath() == null ? null : where.get(Path.of(d.sourcePath()));
            disks.add(moved == null ? d : new TargetDisk(moved, d.format(), d.blockDevice(), d.targetDev(), d.bus(),
                    d.cdrom(), d.readOnly(), d.shareable()));
        }
        TargetDomain moved = t.withDevices(disks, t.nics());
        if (!bootFiles.isEmpty()) {
            moved = moved.withDirectBoot(new DirectBoot(movedPath(where, boot.kernel()), movedPath(where, boot.initrd()),
                    boot.cmdline()));
        }
        run.put(Facts.PLAN, plan.withTarget(moved, plan.boot(), plan.bootNote(), List.of()));
    }

    private static String movedPath(Map<Path, String> where, String file) {
        return file == null ? null : where.getOrDefault(Path.of(file), file);
    }
}
