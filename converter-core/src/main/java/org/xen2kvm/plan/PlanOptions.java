package org.xen2kvm.plan;

import java.nio.file.Path;
import java.util.Map;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.kvm.DomainType;

/**
 * What the user chose for a conversion.
 *
 * @param domainType   KVM (default) or QEMU for hosts without KVM
 * @param outputDir    where disks, kernels and the domain XML go
 * @param outputFormat qcow2 (default) or raw
 * @param bridgeMap    Xen bridge to host bridge ({@code xenbr0=br0})
 * @param networkMap   Xen bridge to libvirt network ({@code xenbr0=default})
 * @param keepNicModel keep an HVM guest's emulated NIC model even when inspection finds virtio_net
 * @param nameOverride the KVM domain name, or null to keep the Xen name
 */
public record PlanOptions(
        DomainType domainType,
        Path outputDir,
        OutputFormat outputFormat,
        Map<String, String> bridgeMap,
        Map<String, String> networkMap,
        boolean keepNicModel,
        String nameOverride) {

    public PlanOptions {
        bridgeMap = Map.copyOf(bridgeMap);
        networkMap = Map.copyOf(networkMap);
    }

    public static PlanOptions defaults(Path outputDir) {
        return new PlanOptions(DomainType.KVM, outputDir, OutputFormat.QCOW2, Map.of(), Map.of(), false, null);
    }
}
