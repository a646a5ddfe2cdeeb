package org.xen2kvm.pipeline;

import org.xen2kvm.domain.DomainXmlWriter;

/** Renders the libvirt domain XML of the settled plan (shown by a dry run, written by a conversion). */
final class RenderDomainXml extends PipelineStep {
    RenderDomainXml() {
        super("render-domain-xml", null, READS);
    }

    @Override
    public void run(ConversionRun run) {
        run.put(Facts.DOMAIN_XML, DomainXmlWriter.write(run.get(Facts.PLAN).target()));
    }
}
