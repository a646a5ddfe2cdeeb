package org.xen2kvm.libvirt;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.xen2kvm.Cancellation;
import org.xen2kvm.CancelledException;
import org.xen2kvm.image.Extent;
import org.xen2kvm.image.RawFileDevice;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.libvirt.jna.SizeT;

/**
 * Streams a local file into an existing storage volume ({@code virStorageVolUpload}), on a
 * connection of its own, so that it also works when the libvirt host is remote.
 *
 * <p>The upload is sparse: only the file's data extents (SEEK_DATA/SEEK_HOLE) travel, each
 * hole is one small "hole of N bytes" message ({@code virStreamSendHole}), and the daemon
 * leaves it unallocated in the volume. A raw 10 GiB disk with 1 GiB of data sends 1 GiB over
 * the network to a remote KVM host. A daemon that refuses sparse streams gets every byte.
 */
final class VolumeUpload {
    /** Large enough to keep the RPC overhead small; libvirt splits it into its own packets. */
    private static final int CHUNK_BYTES = 1024 * 1024;
    /** VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM. */
    private static final int UPLOAD_SPARSE_STREAM = 1;

    private VolumeUpload() {
    }

    /**
     * Copies all of {@code image} to offset 0 of the volume with {@code key}.
     *
     * @throws LibvirtRegistrationException when libvirt refuses or the transfer breaks
     * @throws UncheckedIOException         when {@code image} cannot be read
     */
    static void upload(String uri, String key, Path image) {
        LibvirtNative lib = LibvirtNative.INSTANCE;
        String where = uri + ": uploading " + image + " to volume " + key;
        Pointer connection = lib.virConnectOpen(uri);
        if (connection == null) {
            throw new LibvirtRegistrationException(where + ": cannot connect: " + lib.virGetLastErrorMessage());
        }
        Pointer volume = null;
        Pointer stream = null;
        boolean finished = false;
        try {
            volume = lib.virStorageVolLookupByKey(connection, key);
            if (volume == null) {
                throw new LibvirtRegistrationException(where + ": volume not found: " + lib.virGetLastErrorMessage());
            }
            long length = Files.size(image);
            List<Extent> data = dataExtents(image);
            stream = lib.virStreamNew(connection, 0); // blocking: send waits for the daemon to take data
            if (stream == null) {
                throw new LibvirtRegistrationException(where + ": cannot create a stream: " + lib.virGetLastErrorMessage());
            }
            boolean sparse = lib.virStorageVolUpload(volume, stream, 0, length, UPLOAD_SPARSE_STREAM) == 0;
            if (!sparse) {
                // Older daemons, or pools that cannot take holes: a fresh stream for a plain upload.
                lib.virStreamAbort(stream);
                lib.virStreamFree(stream);
                stream = lib.virStreamNew(connection, 0);
                if (stream == null) {
                    throw new LibvirtRegistrationException(where + ": cannot create a stream: "
                            + lib.virGetLastErrorMessage());
                }
                if (lib.virStorageVolUpload(volume, stream, 0, length, 0) < 0) {
                    throw new LibvirtRegistrationException(where + ": libvirt refused the upload: "
                            + lib.virGetLastErrorMessage());
                }
                data = List.of(new Extent(0, length));
            }
            long sent = send(lib, stream, image, data, length, sparse, where);
            if (sent != length) {
                throw new LibvirtRegistrationException(where + ": the file changed size during the upload (" + length
                        + " bytes expected, " + sent + " read); retry when nothing writes to it");
            }
            if (lib.virStreamFinish(stream) < 0) {
                throw new LibvirtRegistrationException(where + ": libvirt did not confirm the upload: "
                        + lib.virGetLastErrorMessage());
            }
            finished = true;
        } catch (IOException e) {
            throw new UncheckedIOException(where + ": cannot read the image: " + e.getMessage(), e);
        } finally {
            if (stream != null) {
                if (!finished) {
                    lib.virStreamAbort(stream);
                }
                lib.virStreamFree(stream);
            }
            if (volume != null) {
                lib.virStorageVolFree(volume);
            }
            lib.virConnectClose(connection);
        }
    }

    private static List<Extent> dataExtents(Path image) throws IOException {
        try (RawFileDevice file = RawFileDevice.openReadOnly(image)) {
            return file.allocatedExtents();
        }
    }

    /**
     * Sends the data extents in order, and the holes between and after them as hole messages
     * (sparse) or zeros (not sparse: the daemon writes every byte).
     *
     * @return the bytes accounted for, data and holes: the file's length when all went well
     */
    private static long send(LibvirtNative lib, Pointer stream, Path image, List<Extent> data, long length,
                             boolean sparse, String where) throws IOException {
        byte[] chunk = new byte[CHUNK_BYTES];
        long position = 0;
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ)) {
            for (Extent e : data) {
                position = skip(lib, stream, position, e.offset(), sparse, chunk, where);
                long end = Math.min(e.end(), length);
                while (position < end) {
                    Cancellation.process().check(where);
                    int n = (int) Math.min(chunk.length, end - position);
                    ByteBuffer buf = ByteBuffer.wrap(chunk, 0, n);
                    while (buf.hasRemaining()) {
                        if (in.read(buf, position + buf.position()) < 0) {
                            return position + buf.position(); // the file shrank
                        }
                    }
                    sendAll(lib, stream, chunk, n, position, where);
                    position += n;
                }
            }
            position = skip(lib, stream, position, length, sparse, chunk, where);
        }
        return position;
    }

    /** Moves the stream from {@code from} to {@code to} over a hole. */
    private static long skip(LibvirtNative lib, Pointer stream, long from, long to, boolean sparse, byte[] chunk,
                             String where) throws CancelledException {
        if (to <= from) {
            return from;
        }
        if (sparse) {
            if (lib.virStreamSendHole(stream, to - from, 0) < 0) {
                throw new LibvirtRegistrationException(where + ": sending a hole at byte " + from + " failed: "
                        + lib.virGetLastErrorMessage());
            }
            return to;
        }
        Arrays.fill(chunk, (byte) 0);
        long position = from;
        while (position < to) {
            Cancellation.process().check(where);
            int n = (int) Math.min(chunk.length, to - position);
            sendAll(lib, stream, chunk, n, position, where);
            position += n;
        }
        return position;
    }

    private static void sendAll(LibvirtNative lib, Pointer stream, byte[] chunk, int n, long position, String where) {
        int offset = 0;
        while (offset < n) {
            byte[] part = offset == 0 ? chunk : Arrays.copyOfRange(chunk, offset, n);
            int sent = lib.virStreamSend(stream, part, new SizeT(n - offset));
            if (sent <= 0) { // a blocking stream never returns 0 or -2; treat them as broken too
                throw new LibvirtRegistrationException(where + ": transfer failed at byte " + (position + offset)
                        + ": " + lib.virGetLastErrorMessage());
            }
            offset += sent;
        }
    }
}
