package org.xen2kvm.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.xen2kvm.image.DiskFormat;

/** Magic-number probing on in-memory images. */
class FormatProbeTest {
    private static DiskFormat probe(byte[] data) throws Exception {
        return FormatProbe.probe(new ByteArrayBlockDevice(data, "mem"));
    }

    private static byte[] withHead(int size, byte[] head) {
        byte[] d = new byte[size];
        System.arraycopy(head, 0, d, 0, head.length);
        return d;
    }

    @Test
    void qcowVersionsAreTold() throws Exception {
        byte[] v1 = ByteBuffer.allocate(1024).putInt(0x514649fb).putInt(1).array();
        byte[] v2 = ByteBuffer.allocate(1024).putInt(0x514649fb).putInt(2).array();
        byte[] v3 = ByteBuffer.allocate(1024).putInt(0x514649fb).putInt(3).array();
        assertEquals(DiskFormat.QCOW, probe(v1));
        assertEquals(DiskFormat.QCOW2, probe(v2));
        assertEquals(DiskFormat.QCOW2, probe(v3));
    }

    @Test
    void otherMagics() throws Exception {
        assertEquals(DiskFormat.QED, probe(withHead(4096, new byte[] {'Q', 'E', 'D', 0})));
        assertEquals(DiskFormat.VMDK, probe(withHead(4096, "KDMV".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(DiskFormat.VMDK, probe(withHead(4096,
                "# Disk DescriptorFile\nversion=1\n".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void vhdFooterAtTheEndOrItsCopyAtTheStart() throws Exception {
        byte[] fixed = new byte[8192];
        System.arraycopy("conectix".getBytes(StandardCharsets.US_ASCII), 0, fixed, 8192 - 512, 8);
        assertEquals(DiskFormat.VHD, probe(fixed));
        assertEquals(DiskFormat.VHD, probe(withHead(8192, "conectix".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void everythingElseIsRaw() throws Exception {
        assertEquals(DiskFormat.RAW, probe(new byte[0]));
        assertEquals(DiskFormat.RAW, probe(new byte[3]));
        assertEquals(DiskFormat.RAW, probe(withHead(4096, new byte[] {(byte) 0xeb, 0x63, (byte) 0x90})));
        // "QFI" without the 0xfb byte is guest data, not a header.
        assertEquals(DiskFormat.RAW, probe(withHead(4096, "QFI!".getBytes(StandardCharsets.US_ASCII))));
    }
}
