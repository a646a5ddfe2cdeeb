package org.xen2kvm.xva;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.Extent;

/**
 * A disk of an uncompressed XVA, read in place: chunk data is read from its offset in the
 * tar, missing chunks read as zeros. A chunk is read whole and verified against its
 * checksum the first time any byte of it is needed.
 */
final class XvaDiskDevice implements BlockDevice {
    private static final int CHUNK = XvaArchive.CHUNK_SIZE;

    private final Path file;
    private final String ref;
    private final long size;
    private final TreeMap<Integer, ChunkRef> chunks;
    private final FileChannel channel;
    private final byte[] cache = new byte[CHUNK];
    private int cachedIndex = -1;

    XvaDiskDevice(Path file, String ref, long size, TreeMap<Integer, ChunkRef> chunks) throws IOException {
        this.file = file;
        this.ref = ref;
        this.size = size;
        this.chunks = chunks;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        BlockDevice.checkRange(this, offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            int index = (int) (pos / CHUNK);
            int within = (int) (pos % CHUNK);
            int n = (int) Math.min(dst.remaining(), CHUNK - within);
            ChunkRef c = chunks.get(index);
            int fromData = c == null ? 0 : Math.max(0, Math.min(n, c.length - within));
            if (fromData > 0) {
                load(c);
                dst.put(cache, within, fromData);
            }
            for (int i = fromData; i < n; i++) {
                dst.put((byte) 0);
            }
            pos += n;
        }
    }

    private void load(ChunkRef c) throws IOException {
        if (cachedIndex == c.name.index()) {
            return;
        }
        cachedIndex = -1;
        ByteBuffer b = ByteBuffer.wrap(cache, 0, c.length);
        long pos = c.dataOffset;
        while (b.hasRemaining()) {
            int n = channel.read(b, pos);
            if (n < 0) {
                throw new XvaFormatException(file, pos, "chunk " + c.name.dataEntry() + " is cut short by the end of the file");
            }
            pos += n;
        }
        if (!c.verified) {
            String actual = c.checksum.compute(cache, c.length);
            if (!actual.equals(c.checksum.hex())) {
                throw new XvaFormatException(file, c.dataOffset, "chunk " + c.name.dataEntry() + " fails its "
                        + c.checksum.label() + " check (stored " + c.checksum.hex() + ", computed " + actual
                        + "); the archive is corrupt");
            }
            c.verified = true;
        }
        cachedIndex = c.name.index();
    }

    @Override
    public List<Extent> allocatedExtents() {
        List<Extent> out = new ArrayList<>();
        for (ChunkRef c : chunks.values()) {
            long start = (long) c.name.index() * CHUNK;
            long end = Math.min(size, start + c.length);
            if (end <= start) {
                continue;
            }
            Extent last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.end() == start) {
                out.set(out.size() - 1, new Extent(last.offset(), end - last.offset()));
            } else {
                out.add(new Extent(start, end - start));
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return file + " disk " + ref;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
