package org.xen2kvm.image.write;

import org.xen2kvm.image.qcow2.Qcow2Format;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Compresses one cluster as qemu can read it back: raw deflate whose back-references stay
 * within a 4 KiB window. The JDK's Deflater always uses a 32 KiB window, so the cluster is
 * fed in 4 KiB pieces with a full flush between them; a full flush forgets all earlier input,
 * so no match can reach into a previous piece.
 */
final class ClusterCompressor {
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final byte[] out;
    private final int limit;

    /** Results longer than {@code limit} bytes are not worth storing compressed. */
    ClusterCompressor(int limit) {
        this.limit = limit;
        this.out = new byte[limit + 64];
    }

    /**
     * Compresses {@code cluster} (all its remaining bytes, which are consumed).
     *
     * @return the compressed length in {@link #output()}, or -1 when it would exceed the limit
     */
    int compress(ByteBuffer cluster) {
        deflater.reset();
        int produced = 0;
        int end = cluster.limit();
        int pos = cluster.position();
        while (pos < end) {
            int pieceEnd = Math.min(end, pos + Qcow2Format.DEFLATE_WINDOW);
            deflater.setInput(cluster.slice(pos, pieceEnd - pos));
            boolean last = pieceEnd == end;
            if (last) {
                deflater.finish();
            }
            while (true) {
                int space = out.length - produced;
                if (space == 0) {
                    return -1;
                }
                int n = last ? deflater.deflate(out, produced, space, Deflater.NO_FLUSH)
                        : deflater.deflate(out, produced, space, Deflater.FULL_FLUSH);
                produced += n;
                if (produced > limit) {
                    return -1;
                }
                boolean done = last ? deflater.finished() : (n < space && deflater.needsInput());
                if (done) {
                    break;
                }
            }
            pos = pieceEnd;
        }
        cluster.position(end);
        return produced;
    }

    byte[] output() {
        return out;
    }

    void close() {
        deflater.end();
    }
}
