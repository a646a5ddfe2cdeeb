package org.xen2kvm.plan;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a conversion's files go. Every output name is decided here and nowhere else:
 * {@code NAME-vda.qcow2}, {@code NAME.xml}, {@code NAME-vmlinuz}, {@code NAME-initrd.img},
 * {@code NAME-console.log}, all in the output directory.
 *
 * @param dir  the output directory, absolute and normalized
 * @param name the KVM domain name
 */
public record OutputNames(Path dir, String name) {

    public OutputNames {
        dir = dir.toAbsolutePath().normalize();
    }

    /** The copy of a disk that the KVM guest sees as {@code kvmTarget} ({@code vda}). */
    public Path disk(String kvmTarget, String extension) {
        return dir.resolve(name + "-" + kvmTarget + "." + extension);
    }

    public Path domainXml() {
        return dir.resolve(name + ".xml");
    }

    /** The kernel for direct boot. */
    public Path kernel() {
        return dir.resolve(name + "-vmlinuz");
    }

    /** The initrd for direct boot. */
    public Path initrd() {
        return dir.resolve(name + "-initrd.img");
    }

    /** What the guest's serial console printed during a boot check. */
    public Path consoleLog() {
        return dir.resolve(name + "-console.log");
    }

    /**
     * Marks a conversion into this directory under this name as unfinished while it runs
     * (see the pipeline's run marker); not an output.
     */
    public Path runMarker() {
        return dir.resolve(name + ".xen2kvm-incomplete");
    }

    /** The files besides the disks that a conversion may write. */
    public List<Path> besidesDisks() {
        return List.of(domainXml(), kernel(), initrd());
    }
}
