package org.xen2kvm.pipeline;

import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.write.CopyOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.plan.BootStrategy;
import org.xen2kvm.plan.PlanOptions;
import org.xen2kvm.testutil.ExternalTool;

/**
 * A pygrub guest as RHEL lays it out: /boot and / on two partitions of one MBR disk, fstab
 * naming /boot by label, and no boot code in the MBR (pygrub read grub.cfg from dom0). The
 * conversion finds the kernel on the /boot partition, falls back to direct kernel boot,
 * and edits grub.cfg on the /boot filesystem.
 */
class SeparateBootTest {
    private static final long MIB = 1 << 20;

    private static void run(String... cmd) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of(cmd));
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + "\n" + r.output());
    }

    @Test
    void kernelAndGrubOnASeparateBootPartition(@TempDir Path dir) throws Exception {
        ExternalTool.require("mkfs.ext4");
        ExternalTool.require("sfdisk");
        Path boot = dir.resolve("boot-tree");
        Files.createDirectories(boot.resolve("grub"));
        Files.writeString(boot.resolve("vmlinuz-5.10.0-30-amd64"), "kernel placeholder\n");
        Files.writeString(boot.resolve("initrd.img-5.10.0-30-amd64"), "initrd placeholder\n");
        Files.writeString(boot.resolve("grub/grub.cfg"), "set default=0\nmenuentry 'Debian' {\n"
                + "\tlinux /vmlinuz-5.10.0-30-amd64 root=/dev/xvda2 ro console=hvc0\n"
                + "\tinitrd /initrd.img-5.10.0-30-amd64\n}\n");
        Path root = dir.resolve("root-tree");
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("boot"));
        Files.writeString(root.resolve("etc/fstab"), "/dev/xvda2 / ext4 defaults 0 1\nLABEL=boot /boot ext4 defaults 0 2\n");
        Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"11\"\nPRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\n");
        Path img = dir.resolve("disk.img");
        run("truncate", "-s", "80M", img.toString());
        run("mkfs.ext4", "-F", "-q", "-L", "boot", "-E", "offset=" + MIB, "-d", boot.toString(), img.toString(), "32M");
        run("mkfs.ext4", "-F", "-q", "-E", "offset=" + 33 * MIB, "-d", root.toString(), img.toString(), "46M");
        run("sh", "-c", "printf 'label: dos\\nstart=2048, size=65536, type=83\\nstart=67584, size=94208, type=83\\n'"
                + " | sfdisk --no-reread --no-tell-kernel -q " + img);
        Path cfg = dir.resolve("rhel.cfg");
        Files.writeString(cfg, "name = 'rhel'\nmemory = 512\nbootloader = 'pygrub'\n"
                + "disk = [ 'file:" + img + ",xvda,w' ]\nvif = [ 'mac=00:16:3e:00:00:42,bridge=xenbr0' ]\n");
        String before = ConverterTest.sha256(img);

        Path out = dir.resolve("kvm");
        PlanOptions plan = new PlanOptions(DomainType.QEMU, out, OutputFormat.RAW, Map.of(), Map.of(), false, null);
        ConversionResult r = Converter.run(new ConversionRequest(cfg, null, plan, false, false, CopyOptions.DEFAULT, false,
                null, false, false, null), ConversionListener.NONE);

        assertEquals(before, ConverterTest.sha256(img));
        assertEquals(BootStrategy.DIRECT_KERNEL, r.plan().boot());
        assertTrue(r.plan().warnings().stream().anyMatch(w -> w.contains("no boot code")), r.plan().warnings().toString());
        assertEquals("kernel placeholder\n", Files.readString(out.resolve("rhel-vmlinuz")));
        assertTrue(r.plan().target().directBoot().cmdline().startsWith("root=/dev/vda2 ro"),
                r.plan().target().directBoot().cmdline());
        Path vda = out.resolve("rhel-vda.raw");
        ExternalTool.Result grub = ExternalTool.run(List.of("debugfs", "-R", "cat /grub/grub.cfg", vda + "?offset=" + MIB));
        assertTrue(grub.output().contains("linux /vmlinuz-5.10.0-30-amd64 root=/dev/vda2 ro console=tty0 console=ttyS0,115200"),
                grub.output());
        for (long offset : new long[] {MIB, 33 * MIB}) {
            ExternalTool.Result fsck = ExternalTool.run(List.of("e2fsck", "-fn", vda + "?offset=" + offset));
            assertEquals(0, fsck.exitCode(), fsck.output());
        }
    }
}
