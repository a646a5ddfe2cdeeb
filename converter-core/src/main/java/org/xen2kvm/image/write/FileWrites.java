package org.xen2kvm.image.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional writes that do not return until every byte is written. */
final class FileWrites {
    private FileWrites() {
    }

    static void writeFully(FileChannel channel, ByteBuffer data, long position) throws IOException {
        long pos = position;
        while (data.hasRemaining()) {
            pos += channel.write(data, pos);
        }
    }
}
