package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.StoragePool;
import org.xen2kvm.image.write.CopyOptions;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.libvirt.QemuTestEnvironment;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.ExternalTool;

/**
 * {@code convert --connect URI --pool POOL}: the disks go into a libvirt storage pool and the
 * domain names the volumes; a registration that fails afterwards deletes the volumes again.
 * Runs against the local system libvirt with a transient directory pool.
 */
class StoragePoolOutputIT {
    private static final String URI = "qemu:///system";

    @TempDir
    Path dir;
    private Connect admin;
    private StoragePool pool;
    private String poolName;
    private Path poolDir;
    private String name;

    @BeforeEach
    void setUp() throws Exception {
        QemuTestEnvironment.connect().close();
        admin = new Connect(URI, false);
        String id = UUID.randomUUID().toString().substring(0, 8);
        poolName = "xen2kvm-it-pool-" + id;
        name = "xen2kvm-it-" + id;
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        poolDir = Files.createDirectory(dir.resolve("pool"));
        pool = admin.storagePoolCreateXML("<pool type='dir'><name>" + poolName + "</name><target><path>" + poolDir
                + "</path></target></pool>", 0);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (admin == null) {
            return;
        }
        try {
            for (String n : admin.listDefinedDomains()) {
                if (n.equals(name)) {
                    admin.domainLookupByName(n).undefine();
                }
            }
            if (pool != null) {
                pool.destroy();
            }
        } finally {
            admin.close();
        }
    }

    private ConversionRequest request(Path cfg, Path out) {
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.QCOW2, Map.of(), Map.of(), false, name);
        return new ConversionRequest(cfg, null, plan, false, false, CopyOptions.DEFAULT, false, URI, false, false, null,
                new DiskDestination.StoragePool(poolName));
    }

    @Test
    void disksGoIntoThePoolAndTheDomainNamesTheVolumes() throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = dir.resolve("kvm");
        ConversionResult r = Converter.run(request(cfg, out), ConversionListener.NONE);
        assertEquals(name, r.registered());
        Path volume = poolDir.resolve(name + "-vda.qcow2");
        assertTrue(Files.isRegularFile(volume), "no volume " + volume);
        // Byte identity of upload and file is VolumeUploadTest's; here: a sound qcow2, and the
        // local copy gone once uploaded (nothing stays staged on the conversion host).
        ExternalTool.Result check = ExternalTool.run(List.of("qemu-img", "check", "-f", "qcow2", volume.toString()));
        assertEquals(0, check.exitCode(), check.output());
        assertFalse(Files.exists(out.resolve(name + "-vda.qcow2")), "the local copy stayed after the upload");
        assertTrue(r.outputs().stream().noneMatch(p -> p.toString().endsWith(".qcow2")), "outputs: " + r.outputs());
        Domain d = admin.domainLookupByName(name);
        String xml = d.getXMLDesc(0);
        assertTrue(xml.contains("<source file='" + volume + "'/>"), xml);
        assertTrue(r.domainXml().contains(volume.toString()), "the written XML names the volume: " + r.domainXml());
        assertTrue(Files.readString(out.resolve(name + ".xml")).contains(volume.toString()));
    }

    @Test
    void aFailedRegistrationDeletesTheUploadedVolumes() throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        // A domain of that name already exists: define refuses it after the upload.
        admin.domainDefineXML("<domain type='qemu'><name>" + name + "</name><memory>65536</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64'>hvm</type></os></domain>");
        Path out = dir.resolve("kvm");
        assertThrows(RuntimeException.class, () -> Converter.run(request(cfg, out), ConversionListener.NONE));
        try (Stream<Path> left = Files.list(poolDir)) {
            assertEquals(List.of(), left.toList(), "volumes left in the pool");
        }
        pool.refresh(0);
        assertEquals(0, pool.listVolumes().length);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of("pool", "xen"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the failed run removed its output directory");
        }
    }
}
