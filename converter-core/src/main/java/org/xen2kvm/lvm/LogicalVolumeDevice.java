package org.xen2kvm.lvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.xen2kvm.image.BlockDevice;

/**
 * An LV as a block device: each LV byte range (one per segment) is spread over its stripes in
 * chunks of the stripe size, as device-mapper's striped target does (a linear segment is one
 * stripe). The PV devices are not closed with it: the scan's caller owns them.
 */
final class LogicalVolumeDevice implements BlockDevice {
    /**
     * A segment in bytes: LV range {@code [start, start + length)}, chunk size, and for each
     * stripe the PV device and the byte offset of its first extent.
     */
    record Piece(long start, long length, long chunk, BlockDevice[] devices, long[] bases) {
    }

    private final String name;
    private final List<Piece> pieces;
    private final long size;

    LogicalVolumeDevice(String name, List<Piece> pieces) {
        this.name = name;
        this.pieces = List.copyOf(pieces);
        this.size = pieces.isEmpty() ? 0 : pieces.get(pieces.size() - 1).start() + pieces.get(pieces.size() - 1).length();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(this, offset, dst.remaining());
        transfer(offset, dst, false);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (!isWritable()) {
            throw new IOException(name + ": device is read-only");
        }
        BlockDevice.checkRange(this, offset, src.remaining());
        transfer(offset, src, true);
    }

    private void transfer(long offset, ByteBuffer buf, boolean write) throws IOException {
        long pos = offset;
        int idx = findPiece(pos);
        while (buf.hasRemaining()) {
            Piece p = pieces.get(idx);
            if (pos >= p.start() + p.length()) {
                idx++;
                continue;
            }
            long rel = pos - p.start();
            long chunkNo = rel / p.chunk();
            long within = rel % p.chunk();
            int n = p.devices().length;
            int stripe = (int) (chunkNo % n);
            long devOffset = p.bases()[stripe] + (chunkNo / n) * p.chunk() + within;
            int len = (int) Math.min(buf.remaining(), Math.min(p.chunk() - within, p.start() + p.length() - pos));
            ByteBuffer part = buf.slice(buf.position(), len);
            if (write) {
                p.devices()[stripe].write(devOffset, part);
            } else {
                p.devices()[stripe].read(devOffset, part);
            }
            buf.position(buf.position() + len);
            pos += len;
        }
    }

    private int findPiece(long pos) {
        int lo = 0;
        int hi = pieces.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (pieces.get(mid).start() <= pos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public boolean isWritable() {
        for (Piece p : pieces) {
            for (BlockDevice d : p.devices()) {
                if (!d.isWritable()) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void flush() throws IOException {
        for (Piece p : pieces) {
            for (BlockDevice d : p.devices()) {
                d.flush();
            }
        }
    }

    @Override
    public String describe() {
        return name;
    }
}
