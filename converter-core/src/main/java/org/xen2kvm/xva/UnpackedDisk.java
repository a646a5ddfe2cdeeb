package org.xen2kvm.xva;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.Extent;
import org.xen2kvm.image.RawFileDevice;

/** A disk unpacked from a compressed XVA into a scratch file, which goes away on close. */
final class UnpackedDisk implements BlockDevice {
    private final RawFileDevice raw;
    private final Path scratch;

    UnpackedDisk(RawFileDevice raw, Path scratch) {
        this.raw = raw;
        this.scratch = scratch;
    }

    @Override
    public long size() {
        return raw.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        raw.read(offset, dst);
    }

    @Override
    public List<Extent> allocatedExtents() throws IOException {
        return raw.allocatedExtents();
    }

    @Override
    public String describe() {
        return raw.describe();
    }

    @Override
    public void close() throws IOException {
        try {
            raw.close();
        } finally {
            Files.deleteIfExists(scratch);
        }
    }
}
