package org.xen2kvm.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated /etc/xen with hundreds of guests, broken configs among them, and everything else
 * such a folder holds: the plan must list every guest once and nothing else.
 */
class DefinitionScannerTest {
    private static final int GOOD = 240;
    private static final int BROKEN = 30;
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void scansAHostFolder() throws Exception {
        Random random = new Random(1313);
        Path etc = Files.createDirectories(dir.resolve("etc/xen"));
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(etc.resolve("auto"));
        Files.createDirectories(etc.resolve("scripts"));
        Set<String> expectGood = new TreeSet<>();
        Set<String> expectBroken = new TreeSet<>();
        // A sparse image: 16 MiB of size, 1 MiB of data; the plan must measure the data.
        Path image = images.resolve("shared.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(16 * MIB);
            f.seek(4 * MIB);
            byte[] data = new byte[(int) MIB];
            random.nextBytes(data);
            f.write(data);
        }
        for (int i = 0; i < GOOD; i++) {
            String name = "vm" + i;
            expectGood.add(name);
            String disk = i % 2 == 0 ? image.toString() : images.resolve(name + ".img").toString();
            String text = switch (i % 3) {
                case 0 -> "# xm config\nname = \"" + name + "\"\nmemory = 256\nuuid = \"00000000-0000-4000-8000-"
                        + String.format("%012d", i) + "\"\ndisk = [ 'file:" + disk + ",xvda,w' ]\nvif = [ 'mac=00:16:3e:00:"
                        + String.format("%02x:%02x", i / 256, i % 256) + ",bridge=xenbr0' ]\nbootloader = 'pygrub'\n";
                case 1 -> "(domain (name " + name + ") (memory 256) (vcpus 1)\n (device (vbd (uname file:" + disk
                        + ") (dev xvda) (mode w))))\n";
                default -> "<domain type='xen'><name>" + name + "</name><memory unit='MiB'>256</memory><os><type>linux"
                        + "</type></os><devices><disk type='file' device='disk'><source file='" + disk
                        + "'/><target dev='xvda' bus='xen'/></disk></devices></domain>\n";
            };
            String file = name + (i % 3 == 0 ? ".cfg" : i % 3 == 1 ? ".sxp" : ".xml");
            Files.writeString(etc.resolve(file), text);
            if (i % 20 == 0) {
                Files.createSymbolicLink(etc.resolve("auto").resolve(file), Path.of("..", file));
            }
        }
        for (int i = 0; i < BROKEN; i++) {
            String stem = "broken" + i;
            expectBroken.add(stem);
            String text = switch (i % 3) {
                case 0 -> "name = \"" + stem + "-x\"\ndisk = [ 'file:/x,xvda,w'\nmemory = \n";
                case 1 -> "(domain (name " + stem + ") (memory 256\n";
                default -> "<domain type='xen'><name>" + stem + "</name><devices>\n";
            };
            Files.writeString(etc.resolve(stem + ".cfg"), text);
        }
        // What a real /etc/xen holds besides guests, and what editors and package managers leave.
        List<String> others = List.of("vm0.cfg~", ".vm0.cfg.swp", "#vm0.cfg#", "vm0.cfg.orig", "vm0.cfg.rpmsave",
                "vm0.cfg.rpmnew", "vm0.cfg.dpkg-old", "vm0.cfg.dpkg-dist", "xmexample1", "xlexample.hvm");
        for (String o : others) {
            Files.writeString(etc.resolve(o), Files.readString(etc.resolve("vm0.cfg")));
        }
        Files.writeString(etc.resolve("xl.conf"), "#autoballoon=\"auto\"\nlockfile=\"/var/lock/xl\"\n"
                + "vif.default.bridge=\"xenbr0\"\n");
        Files.writeString(etc.resolve("xend-config.sxp"), "# -*- sh -*-\n(xend-http-server no)\n(network-script "
                + "network-bridge)\n");
        Files.writeString(etc.resolve("xend-pci-permissive.sxp"), "(unconstrained_dev_ids\n ('0000:00:00.0'))\n");
        Files.writeString(etc.resolve("xm-config.xml"), "<?xml version='1.0'?>\n<xm><server type='Xen-API'/></xm>\n");
        Files.writeString(etc.resolve("qemu-ifup"), "#!/bin/sh\nname=$1\nifconfig $1 0.0.0.0 up\n");
        Files.writeString(etc.resolve("scripts/vif-common.sh"), "name=$1\ndisk=$2\n");
        Files.writeString(etc.resolve("scripts/network-bridge"), "#!/bin/sh\nname=xenbr0\n");
        Files.writeString(etc.resolve("README"), "Configuration files for Xen domains live here.\n");
        Files.writeString(etc.resolve("cpupool"), "");
        Files.write(etc.resolve("vm-backup.tar"), new byte[] {0, 1, 2, 3, 0, 0});
        Files.createSymbolicLink(etc.resolve("auto/gone.cfg"), Path.of("../gone.cfg"));

        DefinitionScanner.Result scan = DefinitionScanner.scan(List.of(etc));
        Set<String> skipped = scan.skipped().stream().map(s -> Path.of(s.path()).getFileName().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        for (String o : others) {
            assertTrue(skipped.contains(o), o + " not skipped: " + skipped);
        }
        for (String o : List.of("xl.conf", "xend-config.sxp", "xend-pci-permissive.sxp", "xm-config.xml", "qemu-ifup",
                "vif-common.sh", "network-bridge", "README", "cpupool", "vm-backup.tar", "gone.cfg")) {
            assertTrue(skipped.contains(o), o + " not skipped: " + skipped);
        }
        long links = scan.skipped().stream().filter(s -> s.reason().startsWith("the same file as")).count();
        assertEquals(GOOD / 20, links, "auto/ links count once");
        assertEquals(GOOD + BROKEN, scan.candidates().size());
        for (DefinitionScanner.Candidate c : scan.candidates()) {
            assertTrue(!c.file().startsWith(etc.resolve("auto")), "the file, not its link: " + c.file());
        }

        Plan plan = PlanBuilder.build(List.of(etc), scan, Map.of("output-dir", dir.resolve("out").toString()),
                dir.resolve("out"));
        assertEquals(GOOD + BROKEN, plan.guests().size());
        Set<String> good = new TreeSet<>();
        Set<String> broken = new TreeSet<>();
        for (PlanEntry e : plan.guests()) {
            (e.error() == null ? good : broken).add(e.name());
            if (e.error() != null) {
                assertTrue(e.error().contains(e.source()), "the error names the file: " + e.error());
                assertTrue(e.disks().isEmpty());
            }
        }
        assertEquals(expectGood, good);
        assertEquals(expectBroken, broken, "broken definitions are named after their file");
        PlanEntry vm0 = plan.guest("vm0");
        assertEquals("xl", vm0.format(), "no xm-only key: read as xl");
        assertEquals(List.of("00:16:3e:00:00"), List.of(vm0.macs().get(0).substring(0, 14)));
        assertEquals(16 * MIB, vm0.disks().get(0).sizeBytes());
        assertEquals(MIB, vm0.disks().get(0).dataBytes(), "data from the allocation map, not the size");
        PlanEntry vm1 = plan.guest("vm1");
        assertEquals("sxp", vm1.format());
        assertEquals("missing", vm1.disks().get(0).note());
        assertNull(vm1.disks().get(0).dataBytes());
        assertEquals("libvirt", plan.guest("vm2").format());
        // Odd guests' images do not exist: one warning each.
        long missing = plan.warnings().stream().filter(w -> w.contains("does not exist here")).count();
        assertEquals(GOOD / 2, missing);
        assertEquals(BROKEN, plan.warnings().stream().filter(w -> w.contains("cannot be read")).count());

        // The plan survives its YAML.
        Path file = dir.resolve("plan.yaml");
        PlanFiles.write(plan, file);
        assertEquals(plan, PlanFiles.read(file));
        // Every guest lands in exactly one of 3 shards.
        Set<String> seen = new HashSet<>();
        for (int i = 1; i <= 3; i++) {
            Shard s = new Shard(i, 3);
            for (PlanEntry e : plan.guests()) {
                if (s.contains(e.name())) {
                    assertTrue(seen.add(e.name()), e.name() + " twice");
                }
            }
        }
        assertEquals(plan.guests().size(), seen.size());
    }

    @Test
    void reportsDuplicatesAndSpace() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("xen"));
        Path img = dir.resolve("a.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(MIB);
            f.write(new byte[4096 + 1]);
        }
        String uuid = "11111111-2222-4333-8444-555555555555";
        for (String file : List.of("a.cfg", "a-copy.cfg")) {
            Files.writeString(etc.resolve(file), "name = 'a'\nuuid = '" + uuid + "'\ndisk = [ 'file:" + img
                    + ",xvda,w' ]\nvif = [ 'mac=00:16:3e:aa:bb:cc' ]\n");
        }
        Plan plan = PlanBuilder.build(List.of(etc), DefinitionScanner.scan(List.of(etc)), Map.of(), dir.resolve("out"));
        List<String> names = new ArrayList<>();
        plan.guests().forEach(g -> names.add(g.name()));
        assertEquals(List.of("a", "a-2"), names, "a duplicate name gets a distinct entry name");
        assertEquals("a-2", plan.guest("a-2").target());
        String all = String.join("\n", plan.warnings());
        assertTrue(all.contains("duplicate name a:"), all);
        assertTrue(all.contains("duplicate UUID " + uuid), all);
        assertTrue(all.contains("duplicate MAC 00:16:3e:aa:bb:cc"), all);
        assertTrue(!all.contains("not enough space"), all);
    }

    @Test
    void warnsWhenTheOutputIsTooSmall() throws Exception {
        Path small = Files.createDirectories(dir.resolve("small"));
        org.xen2kvm.testutil.Tmpfs.mount(small, "1m");
        try {
            Path etc = Files.createDirectories(dir.resolve("xen"));
            Path img = dir.resolve("big.img");
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                byte[] data = new byte[(int) MIB];
                new Random(7).nextBytes(data);
                f.write(data);
                f.write(data);
            }
            Files.writeString(etc.resolve("big.cfg"), "name = 'big'\ndisk = [ 'file:" + img + ",xvda,w' ]\n");
            Plan plan = PlanBuilder.build(List.of(etc), DefinitionScanner.scan(List.of(etc)), Map.of(), small);
            String all = String.join("\n", plan.warnings());
            assertTrue(all.contains("not enough space in " + small + " for every guest"), all);
        } finally {
            org.xen2kvm.testutil.Tmpfs.unmount(small);
        }
    }

    @Test
    void sniffsByContent() throws Exception {
        Path f = dir.resolve("guest");
        Files.writeString(f, "# comment\n\n  name='x'\n");
        assertEquals(org.xen2kvm.xen.ConfigFormat.XL, DefinitionScanner.sniff(f).format());
        Files.writeString(f, "\n(vm (name x))\n");
        assertEquals(org.xen2kvm.xen.ConfigFormat.SXP, DefinitionScanner.sniff(f).format());
        Files.writeString(f, "{\"c_info\": {}}\n");
        assertNotNull(DefinitionScanner.sniff(f).skipReason());
        Files.write(f, "name = 'x'\n".getBytes(StandardCharsets.UTF_8));
        assertNull(DefinitionScanner.skipReasonByName(f));
        assertNotNull(DefinitionScanner.skipReasonByName(dir.resolve("x.cfg.bak")));
    }
}
