package org.xen2kvm.pipeline;

import java.io.IOException;
import org.xen2kvm.config.read.GuestDefinitionReader;

/** Reads the Xen guest's definition (xl/xm, SXP, libvirt XML, XVA). */
final class ReadDefinition extends PipelineStep {
    ReadDefinition() {
        super("read-definition", "read+plan", READS);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        run.stage("read", run.request().definition().toString());
        run.put(Facts.SOURCE, GuestDefinitionReader.read(run.request().definition(), run.request().format()));
    }
}
