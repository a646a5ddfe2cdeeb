package org.xen2kvm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.xen2kvm.image.DiskFormat;

/**
 * Guesses an image's format from its magic numbers. Only used when the Xen configuration did
 * not declare the format: probing a raw guest disk could misread guest data as a header.
 */
public final class FormatProbe {
    /** qcow and qcow2 magic "QFI\xfb" (QEMU docs/interop/qcow2.txt, "Header"; block/qcow.c QCOW_MAGIC). */
    static final byte[] QCOW_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};
    /** QED magic "QED\0" (QEMU docs/interop/qed_spec.txt). */
    static final byte[] QED_MAGIC = {'Q', 'E', 'D', 0};
    /** VMDK sparse extent magic "KDMV" (VMware Virtual Disk Format 1.1, "Header"). */
    static final byte[] VMDK_MAGIC = {'K', 'D', 'M', 'V'};
    /** Start of a VMDK text descriptor file. */
    static final byte[] VMDK_DESCRIPTOR = "# Disk DescriptorFile".getBytes(StandardCharsets.US_ASCII);
    /** VHD footer cookie (Microsoft VHD Image Format Specification, "Hard Disk Footer Format"). */
    static final byte[] VHD_COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    /** The VHD footer is the last 512 bytes; a dynamic VHD also keeps a copy at offset 0. */
    static final int VHD_FOOTER_SIZE = 512;
    /** Offset of the 32-bit version after the qcow magic. */
    static final int QCOW_VERSION_OFFSET = 4;

    private FormatProbe() {
    }

    /** The format {@code rawFile} looks like; {@link DiskFormat#RAW} when nothing matches. */
    public static DiskFormat probe(BlockDevice rawFile) throws IOException {
        long size = rawFile.size();
        byte[] head = rawFile.readBytes(0, (int) Math.min(size, VHD_FOOTER_SIZE));
        if (startsWith(head, QCOW_MAGIC) && head.length >= QCOW_VERSION_OFFSET + 4) {
            int version = ByteBuffer.wrap(head, QCOW_VERSION_OFFSET, 4).getInt();
            return version == 1 ? DiskFormat.QCOW : DiskFormat.QCOW2;
        }
        if (startsWith(head, QED_MAGIC)) {
            return DiskFormat.QED;
        }
        if (startsWith(head, VMDK_MAGIC) || startsWith(head, VMDK_DESCRIPTOR)) {
            return DiskFormat.VMDK;
        }
        if (startsWith(head, VHD_COOKIE)) {
            return DiskFormat.VHD;
        }
        if (size >= VHD_FOOTER_SIZE) {
            byte[] tail = rawFile.readBytes(size - VHD_FOOTER_SIZE, VHD_COOKIE.length);
            if (Arrays.equals(tail, VHD_COOKIE)) {
                return DiskFormat.VHD;
            }
        }
        return DiskFormat.RAW;
    }

    private static boolean startsWith(byte[] data, byte[] magic) {
        return data.length >= magic.length && Arrays.equals(data, 0, magic.length, magic, 0, magic.length);
    }
}
