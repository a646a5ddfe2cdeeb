package org.xen2kvm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Patches big-endian fields of fixture images to make corrupt variants. */
final class ImageTestFiles {
    private ImageTestFiles() {
    }

    static void patch(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    static void patchLong(Path file, long offset, long value) throws IOException {
        patch(file, offset, ByteBuffer.allocate(8).putLong(value).array());
    }

    static void patchInt(Path file, long offset, int value) throws IOException {
        patch(file, offset, ByteBuffer.allocate(4).putInt(value).array());
    }

    static long readLong(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8);
            ch.read(b, offset);
            return b.getLong(0);
        }
    }

    static int readInt(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            ch.read(b, offset);
            return b.getInt(0);
        }
    }
}
