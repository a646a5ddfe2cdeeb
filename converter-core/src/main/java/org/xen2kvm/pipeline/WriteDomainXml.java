package org.xen2kvm.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes the domain XML next to the disks ({@code NAME.xml}). */
final class WriteDomainXml extends PipelineStep {
    WriteDomainXml() {
        super("write-domain-xml", null, WRITES);
    }

    @Override
    public void run(ConversionRun run) throws IOException {
        run.cleanup().outputs().write(run.outputNames().domainXml(),
                run.get(Facts.DOMAIN_XML).getBytes(StandardCharsets.UTF_8));
    }
}
