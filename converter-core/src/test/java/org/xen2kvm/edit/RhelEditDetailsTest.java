package org.xen2kvm.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xen2kvm.fs.MemoryFileSystem;
import org.xen2kvm.plan.KernelCmdlineTest;

/** The RHEL-family edits on the cases the RHEL 5 and 6 file sets do not have. */
class RhelEditDetailsTest {

    private static ConversionContext ctx(MemoryFileSystem fs) throws Exception {
        return RhelFamilyEditsTest.ctx(fs, KernelCmdlineTest.map("xvda"));
    }

    @Test
    void clockAdviceForRhel53And54KernelsOnly() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("rhel54");
        fs.file("/boot/vmlinuz-2.6.18-164.el5", "k").file("/boot/vmlinuz-2.6.18-128.1.1.el5", "k")
                .file("/boot/vmlinuz-2.6.18-164.el5xen", "k").file("/boot/vmlinuz-2.6.18-194.el5", "k");
        assertEquals(List.of(
                "warning: kernel 2.6.18-164.el5 (RHEL 5.4) has no kvm-clock: if the guest's clock drifts on KVM, add notsc"
                        + " (x86_64) or clocksource=acpi_pm (32-bit) to its kernel line, or update to RHEL 5.5 or later",
                "warning: kernel 2.6.18-128.1.1.el5 (RHEL 5.3) has no kvm-clock: if the guest's clock drifts on KVM, add notsc"
                        + " (x86_64) or clocksource=acpi_pm (32-bit) to its kernel line, or update to RHEL 5.5 or later"),
                new ClockAdvice().apply(fs, ctx(fs)));
        assertEquals(List.of(), fs.list("/").stream().filter(n -> !n.equals("boot")).toList(), "advice writes nothing");
    }

    @Test
    void kudzuWithoutItsScriptUsesStopPriority95() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("kudzu").link("/etc/rc.d/rc5.d/S05kudzu", "../init.d/kudzu");
        assertEquals(List.of("kudzu disabled in runlevel 5 (S05kudzu -> K95kudzu, as chkconfig kudzu off)"),
                new KudzuEdit().apply(fs, ctx(fs)));
        assertEquals("../init.d/kudzu", fs.readlink("/etc/rc.d/rc5.d/K95kudzu"));
        assertEquals(List.of("K95kudzu"), fs.list("/etc/rc.d/rc5.d"));
    }

    @Test
    void activeConsolesOfOnlyXenConsolesFallBackToTheDefault() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("rhel6").file("/etc/sysconfig/init", "ACTIVE_CONSOLES=/dev/hvc0\nPROMPT=yes\n");
        new ConsoleEdit().apply(fs, ctx(fs));
        assertEquals("ACTIVE_CONSOLES=/dev/tty[1-6]\nPROMPT=yes\n", fs.readText("/etc/sysconfig/init"));
    }

    @Test
    void paeKernelIsTheDefaultForAXenPaeDefault() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("rhel5-i686");
        fs.file("/etc/sysconfig/kernel", "UPDATEDEFAULT=yes\nDEFAULTKERNEL=\"kernel-xen-PAE\"\n");
        fs.file("/boot/vmlinuz-2.6.18-398.el5xen", "k").file("/boot/vmlinuz-2.6.18-398.el5", "k")
                .file("/boot/vmlinuz-2.6.18-398.el5PAE", "k").file("/boot/vmlinuz-2.6.18-398.el5debug", "k");
        new SysconfigKernelEdit().apply(fs, ctx(fs));
        assertEquals("UPDATEDEFAULT=yes\nDEFAULTKERNEL=\"kernel-PAE\"\n", fs.readText("/etc/sysconfig/kernel"));
        assertEquals("kernel-PAE", SysconfigKernelEdit.packageOf("2.6.18-398.el5PAE"));
        assertEquals("kernel", SysconfigKernelEdit.packageOf("2.6.32-754.el6.x86_64"));
    }

    @Test
    void selinuxDisabledNeedsNoRelabel() throws Exception {
        MemoryFileSystem fs = new MemoryFileSystem("nosel").file("/etc/selinux/config", "SELINUX=disabled\n");
        assertEquals(List.of(), new SelinuxRelabelEdit().apply(fs, ctx(fs)));
        assertTrue(fs.lstat("/.autorelabel").isEmpty());
    }

    @Test
    void hypervisorNamesAreRecognised() {
        for (String p : List.of("/xen.gz", "/xen.gz-2.6.18-398.el5", "(hd0,0)/xen-4.1.gz", "/boot/xen-4.4.4-34.el6.gz", "/xen")) {
            assertTrue(XenHypervisorEntries.isHypervisor(p), p);
        }
        for (String p : List.of("/vmlinuz-2.6.18-398.el5xen", "/xen-syms-4.1", "/xenial.gz")) {
            assertTrue(!XenHypervisorEntries.isHypervisor(p), p);
        }
    }
}
