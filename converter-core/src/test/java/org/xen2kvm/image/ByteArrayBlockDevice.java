package org.xen2kvm.image;

import java.nio.ByteBuffer;

/** A writable block device held in memory, for tests and small images. */
public final class ByteArrayBlockDevice implements BlockDevice {
    private final byte[] data;
    private final String name;

    public ByteArrayBlockDevice(byte[] data, String name) {
        this.data = data;
        this.name = name;
    }

    public ByteArrayBlockDevice(int size) {
        this(new byte[size], "memory");
    }

    public byte[] data() {
        return data;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        BlockDevice.checkRange(this, offset, dst.remaining());
        dst.put(data, (int) offset, dst.remaining());
    }

    @Override
    public void write(long offset, ByteBuffer src) {
        BlockDevice.checkRange(this, offset, src.remaining());
        src.get(data, (int) offset, src.remaining());
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public String describe() {
        return name;
    }
}
