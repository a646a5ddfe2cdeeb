package org.xen2kvm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A window {@code [start, start + length)} of another device: a partition or a volume. */
public final class SliceBlockDevice implements BlockDevice {
    private final BlockDevice parent;
    private final long start;
    private final long length;
    private final String name;

    public SliceBlockDevice(BlockDevice parent, long start, long length, String name) {
        BlockDevice.checkRange(parent, start, length);
        this.parent = parent;
        this.start = start;
        this.length = length;
        this.name = name;
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(this, offset, dst.remaining());
        parent.read(start + offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        BlockDevice.checkRange(this, offset, src.remaining());
        parent.write(start + offset, src);
    }

    @Override
    public boolean isWritable() {
        return parent.isWritable();
    }

    @Override
    public List<Extent> allocatedExtents() throws IOException {
        List<Extent> out = new ArrayList<>();
        for (Extent e : parent.allocatedExtents()) {
            long s = Math.max(e.offset(), start);
            long t = Math.min(e.end(), start + length);
            if (s < t) {
                out.add(new Extent(s - start, t - s));
            }
        }
        return out;
    }

    @Override
    public void flush() throws IOException {
        parent.flush();
    }

    @Override
    public String describe() {
        return name;
    }
}
