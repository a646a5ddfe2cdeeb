package org.xen2kvm.fs;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import org.xen2kvm.image.BlockDevice;

/** Recognises a Linux swap area (mkswap format) and reads its UUID. */
public final class SwapSpace {
    /** The signature sits in the last 10 bytes of the first page (linux/swap.h union swap_header). */
    static final String SIGNATURE = "SWAPSPACE2";
    static final int PAGE = 4096;
    /** Header after 1024 boot bytes: version(4) last_page(4) nr_badpages(4) then the 16-byte UUID. */
    static final int UUID_OFFSET = 1024 + 12;

    private SwapSpace() {
    }

    /** The UUID of a swap area, or empty when the device is no (4 KiB page) swap area. */
    public static Optional<String> uuid(BlockDevice dev) throws IOException {
        if (dev.size() < PAGE) {
            return Optional.empty();
        }
        byte[] sig = dev.readBytes(PAGE - SIGNATURE.length(), SIGNATURE.length());
        if (!SIGNATURE.equals(new String(sig, java.nio.charset.StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        String h = HexFormat.of().formatHex(dev.readBytes(UUID_OFFSET, 16));
        return Optional.of(h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
                + h.substring(16, 20) + "-" + h.substring(20));
    }
}
