package org.xen2kvm.pipeline;

import org.xen2kvm.domain.DomainXmlWriter;

/** Renders the libvirt domain XML of the settled plan (shown by a dry run, written by a conversion). */
final class RenderDomainXml implements Step {
    @Override
    public String name() {
        return "render-domain-xml";
    }

    @Override
    public void run(ConversionRun run) {
        run.put(Facts.DOMAIN_XML, DomainXmlWriter.write(run.get(Facts.PLAN).target()));
    }
}
