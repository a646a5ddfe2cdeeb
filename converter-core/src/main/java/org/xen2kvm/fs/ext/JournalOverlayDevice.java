package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.xen2kvm.image.BlockDevice;

/**
 * A read-only view of a filesystem with its journal replayed in memory: blocks that the
 * journal holds newer copies of are read from the journal, everything else from the device.
 * Lets a guest that was not shut down cleanly be inspected without writing to its disk.
 */
final class JournalOverlayDevice implements BlockDevice {
    private final BlockDevice base;
    private final ExtVolume journalVolume;
    private final Map<Long, JournalReplay.Copy> blocks;
    private final int bs;

    JournalOverlayDevice(BlockDevice base, ExtVolume journalVolume, Map<Long, JournalReplay.Copy> blocks) {
        this.base = base;
        this.journalVolume = journalVolume;
        this.blocks = blocks;
        this.bs = journalVolume.bs;
    }

    @Override
    public long size() {
        return base.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(this, offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            long block = pos / bs;
            int inBlock = (int) (pos % bs);
            int n = Math.min(dst.remaining(), bs - inBlock);
            JournalReplay.Copy copy = blocks.get(block);
            if (copy == null) {
                ByteBuffer part = dst.slice();
                part.limit(n);
                base.read(pos, part);
                dst.position(dst.position() + n);
            } else {
                dst.put(JournalReplay.content(journalVolume, copy), inBlock, n);
            }
            pos += n;
        }
    }

    @Override
    public String describe() {
        return base.describe();
    }
}
