package org.xen2kvm.lvm;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.ByteArrayBlockDevice;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz target for the LVM2 reader, which every conversion now runs on each partition
 * that carries an LVM label: the label, the PV header, the metadata area header, the metadata
 * text and the model built from it, then each LV's first and last sector. The seed is the first
 * 12 KiB of a PV made by lvm2 (label, 8 KiB metadata area, a VG with two LVs). A corrupt or
 * unsupported layout may only be refused with an {@link IOException} ({@link LvmFormatException},
 * {@link UnsupportedLvmException}).
 */
class LvmFuzzTest {

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void scan(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            BlockDevice pv = new ByteArrayBlockDevice(data, "fuzz-pv.img");
            LvmLayout layout = LvmScanner.scan(List.of(pv));
            for (VolumeGroup vg : layout.volumeGroups()) {
                for (LogicalVolume lv : vg.logicalVolumes().values()) {
                    if (vg.unsupportedReason(lv).isPresent()) {
                        continue;
                    }
                    BlockDevice dev = vg.openVolume(lv.name());
                    if (dev.size() >= 512) {
                        dev.read(0, ByteBuffer.allocate(512));
                        dev.read(dev.size() - 512, ByteBuffer.allocate(512));
                    }
                }
            }
        }, IOException.class);
    }
}
