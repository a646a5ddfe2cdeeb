package org.xen2kvm.plan;

import org.xen2kvm.plan.KernelCmdline;

import org.xen2kvm.plan.DeviceMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.VirtType;

public class KernelCmdlineTest {

    public static DeviceMap map(String... vdevs) {
        SourceGuest.Builder b = SourceGuest.builder(ConfigFormat.XL, "g.cfg");
        b.name = "g";
        b.virtType = VirtType.PV;
        for (String v : vdevs) {
            b.disks.add(new SourceDisk("/img/" + v, DiskFormat.RAW, true, v, false, false, false, "file", false));
        }
        return DeviceMap.of(b.build());
    }

    private static final DeviceMap XEN_TOOLS = map("xvda2", "xvda1");
    private static final DeviceMap PYGRUB = map("xvda", "xvdb");

    @Test
    void xenToolsDirectBoot() {
        assertEquals("root=/dev/vda ro elevator=noop console=tty0 console=ttyS0,115200",
                KernelCmdline.convert("root=/dev/xvda2 ro elevator=noop console=hvc0", XEN_TOOLS));
        assertEquals("root=/dev/vda ro elevator=noop console=tty0 console=ttyS0,115200",
                KernelCmdline.convert("root=/dev/xvda2 ro elevator=noop", XEN_TOOLS), "no console= still gets the serial one");
    }

    @Test
    void manyCmdlines() {
        String[][] cases = {
            {"root=/dev/xvda1 ro console=hvc0", "root=/dev/vda1 ro console=tty0 console=ttyS0,115200"},
            {"root=/dev/xvda1 ro single console=hvc0", "root=/dev/vda1 ro single console=tty0 console=ttyS0,115200"},
            {"console=hvc0 root=/dev/xvda1 quiet", "root=/dev/vda1 quiet console=tty0 console=ttyS0,115200"},
            {"ro root=/dev/VolGroup00/LogVol00 console=xvc0 xencons=xvc0", "ro root=/dev/VolGroup00/LogVol00 console=tty0 console=ttyS0,115200"},
            {"root=UUID=0a1b-2c root=LABEL=x", "root=UUID=0a1b-2c root=LABEL=x console=tty0 console=ttyS0,115200"},
            {"root=/dev/xvda1 resume=/dev/xvdb splash=silent", "root=/dev/vda1 resume=/dev/vdb splash=silent console=tty0 console=ttyS0,115200"},
            {"root=/dev/sda1 console=tty1 console=hvc0", "root=/dev/vda1 console=tty1 console=ttyS0,115200"},
            {"console=ttyS0,9600 root=/dev/xvda1 console=tty0", "root=/dev/vda1 console=tty0 console=ttyS0,9600"},
            {"root=/dev/xvda1 clocksource=xen xen_emul_unplug=never xen_blkfront.max=64 net.ifnames=0",
             "root=/dev/vda1 net.ifnames=0 console=tty0 console=ttyS0,115200"},
            {"  root=/dev/xvda1\tro  ", "root=/dev/vda1 ro console=tty0 console=ttyS0,115200"},
            {"root=/dev/xvda1 dyndbg=\"file foo.c +p\" ro", "root=/dev/vda1 dyndbg=\"file foo.c +p\" ro console=tty0 console=ttyS0,115200"},
            {"", "console=tty0 console=ttyS0,115200"},
            {"console=ttyS1 root=/dev/xvda1", "console=ttyS1 root=/dev/vda1 console=tty0 console=ttyS0,115200"},
            {"root=/dev/xvda10 ro", "root=/dev/vda10 ro console=tty0 console=ttyS0,115200"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], KernelCmdline.convert(c[0], PYGRUB), () -> "converting " + c[0]);
        }
    }

    @Test
    void convertedLinesAreFixedPoints() {
        for (String s : List.of("root=/dev/xvda1 ro console=hvc0", "console=ttyS0,9600 console=tty0", "quiet")) {
            String once = KernelCmdline.convert(s, PYGRUB);
            assertEquals(once, KernelCmdline.convert(once, PYGRUB));
        }
    }

    @Test
    void fragmentsAndOptions() {
        KernelCmdline.Options fragment = new KernelCmdline.Options(false, false, "ttyS0");
        assertEquals("quiet", KernelCmdline.convert("quiet console=hvc0", PYGRUB, fragment).cmdline());
        assertEquals("quiet console=ttyS0", KernelCmdline.convert("console=ttyS0 quiet", PYGRUB, fragment).cmdline());
        KernelCmdline.Options ifnames = new KernelCmdline.Options(true, true, "ttyS1");
        assertEquals("root=/dev/vda1 net.ifnames=0 console=tty0 console=ttyS1,115200",
                KernelCmdline.convert("root=/dev/xvda1 console=hvc0", PYGRUB, ifnames).cmdline());
    }

    @Test
    void unknownXenDeviceIsWarnedAndKept() {
        KernelCmdline.Result r = KernelCmdline.convert("root=/dev/xvdc1 ro", PYGRUB, KernelCmdline.Options.DEFAULT);
        assertEquals("root=/dev/xvdc1 ro console=tty0 console=ttyS0,115200", r.cmdline());
        assertEquals(List.of("root=/dev/xvdc1 names no disk of this guest; left unchanged"), r.warnings());
    }
}
