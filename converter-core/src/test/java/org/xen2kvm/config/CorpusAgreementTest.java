package org.xen2kvm.config;

import org.xen2kvm.config.read.GuestDefinitionReader;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;
import org.xen2kvm.testutil.SharedCorpus;

/**
 * For every case where libvirt itself parses the .cfg (CASES.tsv direction {@code both} or
 * {@code cfg2xml-only}), reads the .cfg with the xl/xm reader and the expected .xml with the
 * libvirt XML reader and compares the fields both describe. The two readers were written
 * independently of each other, so agreement checks both against libvirt's own mapping.
 */
class CorpusAgreementTest {
    /**
     * The figure docs/config-formats.md publishes (1683 of 1689 fields, 99.6 %), counting only
     * fields that either reader sets.
     */
    private static final double REQUIRED_AGREEMENT = 0.996;

    private int compared;
    private int agreed;
    private final List<String> disagreements = new ArrayList<>();

    @Test
    void cfgAndLibvirtXmlAgree() throws IOException {
        Path root = SharedCorpus.root();
        int cases = 0;
        for (String dir : List.of("libvirt/xlconfigdata", "libvirt/xmconfigdata")) {
            Path folder = root.resolve(dir);
            for (String line : Files.readAllLines(folder.resolve("CASES.tsv"))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (!f[1].equals("both") && !f[1].equals("cfg2xml-only")) {
                    continue;
                }
                cases++;
                SourceGuest cfg = GuestDefinitionReader.read(folder.resolve(f[2]), null);
                SourceGuest xml = GuestDefinitionReader.read(folder.resolve(f[3]), null);
                assertTrue(xml.origin() == ConfigFormat.LIBVIRT, f[3] + " detected as " + xml.origin());
                compare(dir + "/" + f[0], cfg, xml);
            }
        }
        double ratio = compared == 0 ? 0 : (double) agreed / compared;
        System.out.printf("corpus agreement: %d cases, %d/%d fields agree (%.2f%%)%n", cases, agreed, compared,
                ratio * 100);
        disagreements.forEach(d -> System.out.println("  disagreement: " + d));
        assertTrue(cases > 60, "expected the libvirt cases, found " + cases);
        assertTrue(ratio >= REQUIRED_AGREEMENT, String.format("agreement %.2f%% below %.1f%%:%n%s", ratio * 100,
                REQUIRED_AGREEMENT * 100, String.join("\n", disagreements)));
    }

    private void compare(String name, SourceGuest cfg, SourceGuest xml) {
        field(name, "name", cfg.name(), xml.name());
        field(name, "uuid", cfg.uuid(), xml.uuid());
        field(name, "memory", cfg.memoryMiB(), xml.memoryMiB());
        // libvirt writes <memory> = maxmem, or memory when maxmem is absent.
        field(name, "maxmem", cfg.maxMemoryMiB() != null ? cfg.maxMemoryMiB() : cfg.memoryMiB(), xml.maxMemoryMiB());
        field(name, "vcpus", cfg.vcpus(), xml.vcpus());
        field(name, "maxvcpus", cfg.maxVcpus() != null ? cfg.maxVcpus() : cfg.vcpus(), xml.maxVcpus());
        field(name, "virtType", cfg.virtType(), xml.virtType());
        field(name, "kernel", cfg.kernel(), xml.kernel());
        field(name, "ramdisk", cfg.ramdisk(), xml.ramdisk());
        field(name, "cmdline", cfg.cmdline(), xml.cmdline());
        field(name, "bootloader", cfg.bootloader(), xml.bootloader());
        field(name, "on_poweroff", cfg.onPoweroff(), xml.onPoweroff());
        field(name, "on_reboot", cfg.onReboot(), xml.onReboot());
        field(name, "on_crash", cfg.onCrash(), xml.onCrash());
        field(name, "disk count", cfg.disks().size(), xml.disks().size());
        for (int i = 0; i < Math.min(cfg.disks().size(), xml.disks().size()); i++) {
            SourceDisk a = cfg.disks().get(i);
            SourceDisk b = xml.disks().get(i);
            field(name, "disk" + i + ".path", a.path(), b.path());
            field(name, "disk" + i + ".vdev", a.vdev(), b.vdev());
            field(name, "disk" + i + ".readOnly", a.readOnly(), b.readOnly());
            field(name, "disk" + i + ".cdrom", a.cdrom(), b.cdrom());
        }
        field(name, "nic count", cfg.nics().size(), xml.nics().size());
        for (int i = 0; i < Math.min(cfg.nics().size(), xml.nics().size()); i++) {
            SourceNic a = cfg.nics().get(i);
            SourceNic b = xml.nics().get(i);
            field(name, "nic" + i + ".mac", a.mac(), b.mac());
            field(name, "nic" + i + ".bridge", a.bridge(), b.bridge());
        }
    }

    /**
     * Compares one field that either side sets: a field neither reader filled in (null, or a
     * count of zero) says nothing about their agreement and is not counted.
     */
    private void field(String name, String field, Object cfg, Object xml) {
        if (cfg == null && xml == null || Integer.valueOf(0).equals(cfg) && Integer.valueOf(0).equals(xml)) {
            return;
        }
        compared++;
        if (Objects.equals(cfg, xml)) {
            agreed++;
        } else {
            disagreements.add(name + " " + field + ": cfg=" + cfg + " xml=" + xml);
        }
    }
}
