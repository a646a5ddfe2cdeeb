package org.xen2kvm.guest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.xen2kvm.image.BlockDevice;

/**
 * Recognises an NTFS volume by its boot sector, which is all xen2kvm can read of a Windows
 * guest: there is no NTFS reader here, so {@code Windows/System32/ntoskrnl.exe} and the
 * registry hives stay out of reach.
 */
public final class NtfsProbe {
    /** The OEM id field of the NTFS boot sector (BIOS parameter block, offset 0x03, 8 bytes). */
    static final int OFF_OEM_ID = 3;
    /** The OEM id every NTFS formatter writes, space padded. */
    static final byte[] NTFS_OEM_ID = "NTFS    ".getBytes(StandardCharsets.US_ASCII);
    /** The boot sector's 0x55AA signature (offset 510), present on every NTFS volume. */
    static final int OFF_SIGNATURE = 510;
    private static final int SECTOR = 512;

    private NtfsProbe() {
    }

    /**
     * Whether {@code dev} starts with an NTFS boot sector.
     *
     * @throws IOException when the device cannot be read
     */
    public static boolean isNtfs(BlockDevice dev) throws IOException {
        if (dev.size() < SECTOR) {
            return false;
        }
        ByteBuffer b = ByteBuffer.allocate(SECTOR);
        dev.read(0, b);
        byte[] s = b.array();
        return Arrays.equals(s, OFF_OEM_ID, OFF_OEM_ID + NTFS_OEM_ID.length, NTFS_OEM_ID, 0, NTFS_OEM_ID.length)
                && (s[OFF_SIGNATURE] & 0xff) == 0x55 && (s[OFF_SIGNATURE + 1] & 0xff) == 0xaa;
    }
}
