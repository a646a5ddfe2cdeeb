package org.xen2kvm.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.plan.ConversionPlanner;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.testutil.ExternalTool;
import org.xen2kvm.testutil.SharedCorpus;

/**
 * Every Xen definition of the shared corpus that xen2kvm reads is planned and written as
 * KVM domain XML, and libvirt's own schema check (virt-xml-validate) accepts each one.
 */
class CorpusDomainXmlTest {
    @Test
    void everyReadableCorpusGuestBecomesValidDomainXml(@TempDir Path tmp) throws Exception {
        Path corpus = SharedCorpus.root();
        ExternalTool.require("virt-xml-validate");
        List<Path> inputs;
        try (Stream<Path> s = Files.walk(corpus)) {
            inputs = s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().matches(".*\\.(json|tsv|txt|md)$|README.*|SOURCE.*"))
                    .sorted().toList();
        }
        int written = 0;
        List<String> refused = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (Path in : inputs) {
            SourceGuest g;
            try {
                g = GuestDefinitionReader.read(in, null);
            } catch (Xen2KvmException e) {
                continue; // the config tests pin which files are refused and why
            }
            String xml;
            try {
                xml = DomainXmlWriter.write(ConversionPlanner.plan(g, PlanOptions.defaults(tmp)).target());
            } catch (Xen2KvmException e) {
                assertTrue(e.getMessage().contains(in.getFileName().toString()), e.getMessage());
                refused.add(in.getFileName() + ": " + e.getMessage());
                continue;
            }
            Path f = tmp.resolve("domain-" + written++ + ".xml");
            Files.writeString(f, xml);
            ExternalTool.Result r = ExternalTool.run(List.of("virt-xml-validate", f.toString(), "domain"));
            if (r.exitCode() != 0) {
                invalid.add(in + ": " + r.output().strip());
            }
        }
        System.out.println("CorpusDomainXmlTest: " + written + " domain XMLs validated; planning refused "
                + refused.size() + ": " + refused);
        assertTrue(written >= 80, "only " + written + " corpus guests were planned");
        assertEquals(List.of(), invalid);
    }
}
