package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xen2kvm.guest.BootEntry;
import org.xen2kvm.guest.BootloaderInfo;
import org.xen2kvm.guest.BootloaderKind;
import org.xen2kvm.guest.InitSystem;
import org.xen2kvm.guest.InitrdCache;
import org.xen2kvm.guest.InspectedGuest;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.guest.NetworkConfig;
import org.xen2kvm.guest.OsFamily;
import org.xen2kvm.guest.OsInfo;
import org.xen2kvm.guest.VirtioSupport;

/** Where the new kernel's initramfs goes, and which old one it is built from. */
class InstallKernelsTest {

    @Test
    void theInitramfsIsNamedAsTheDistributionNamesIt() {
        InspectedGuest debian = guest(new OsInfo("debian", "12", "Debian 12", OsFamily.DEBIAN), List.of(), null);
        InspectedGuest rhel5 = guest(new OsInfo("rhel", "5.11", "RHEL 5", OsFamily.RHEL), List.of(), null);
        InspectedGuest rhel6 = guest(new OsInfo("centos", "6.10", "CentOS 6", OsFamily.RHEL), List.of(), null);
        String rel = "6.1.0-57-cloud-amd64";
        // The template's own name wins: that is what the guest's tools made.
        assertEquals("/boot/initrd.img-" + rel, InstallKernels.initrdName(rhel6, "/boot/initrd.img-6.1.0-50-amd64", rel));
        assertEquals("/boot/initramfs-" + rel + ".img", InstallKernels.initrdName(debian, "/boot/initramfs-4.18.img", rel));
        assertEquals("/boot/initrd-" + rel + ".img", InstallKernels.initrdName(debian, "/boot/initrd-2.6.18-398.el5.img", rel));
        // Without a template name, the distribution's.
        assertEquals("/boot/initrd.img-" + rel, InstallKernels.initrdName(debian, null, rel));
        assertEquals("/boot/initrd-" + rel + ".img", InstallKernels.initrdName(rhel5, null, rel));
        assertEquals("/boot/initramfs-" + rel + ".img", InstallKernels.initrdName(rhel6, null, rel));
    }

    @Test
    void theTemplateIsTheDefaultEntrysInitramfsElseTheNewestWithOne() {
        OsInfo os = new OsInfo("debian", "12", "Debian 12", OsFamily.DEBIAN);
        List<KernelInfo> kernels = List.of(
                new KernelInfo("6.1.0-60-amd64", "/boot/vmlinuz-6.1.0-60-amd64", null, false),
                new KernelInfo("6.1.0-55-amd64", "/boot/vmlinuz-6.1.0-55-amd64", "/boot/initrd.img-6.1.0-55-amd64", false),
                new KernelInfo("6.1.0-50-amd64", "/boot/vmlinuz-6.1.0-50-amd64", "/boot/initrd.img-6.1.0-50-amd64", false));
        BootloaderInfo menu = new BootloaderInfo(BootloaderKind.GRUB2, "/boot/grub/grub.cfg", List.of(
                new BootEntry("Debian", "/boot/vmlinuz-6.1.0-50-amd64", "/boot/initrd.img-6.1.0-50-amd64", "root=/dev/xvda1")),
                0);
        assertEquals("/boot/initrd.img-6.1.0-50-amd64",
                KernelInitrd.template(guest(os, kernels, menu)).orElseThrow().initrdPath());
        assertEquals("/boot/initrd.img-6.1.0-55-amd64",
                KernelInitrd.template(guest(os, kernels, BootloaderInfo.none())).orElseThrow().initrdPath());
        assertEquals(true, KernelInitrd.template(guest(os, kernels.subList(0, 1), menu)).isEmpty());
    }

    private static InspectedGuest guest(OsInfo os, List<KernelInfo> kernels, BootloaderInfo boot) {
        return new InspectedGuest(os, kernels, boot == null ? BootloaderInfo.none() : boot, null, InitSystem.SYSTEMD,
                new NetworkConfig(List.of(), List.of()), List.of(), VirtioSupport.none("test"), List.of(),
                InitrdCache.empty());
    }
}
