package org.xen2kvm.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.plan.ConversionPlan;

/** Refuses to overwrite earlier outputs unless told to ({@code --force}). */
final class CheckOutputs implements Step {
    @Override
    public String name() {
        return "check-outputs";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public void run(ConversionRun run) {
        if (run.request().copy().force()) {
            return;
        }
        ConversionPlan plan = run.get(Facts.PLAN);
        List<Path> outputs = new ArrayList<>();
        plan.copies().forEach(c -> outputs.add(c.outputPath()));
        Path dir = run.request().plan().outputDir();
        String name = plan.target().name();
        for (String suffix : List.of(".xml", "-vmlinuz", "-initrd.img")) {
            outputs.add(dir.resolve(name + suffix).toAbsolutePath().normalize());
        }
        for (Path p : outputs) {
            if (Files.exists(p)) {
                throw new Xen2KvmException(p + ": output exists; remove it or use --force");
            }
        }
    }
}
