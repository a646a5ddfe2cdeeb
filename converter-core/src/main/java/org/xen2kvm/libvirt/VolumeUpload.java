package org.xen2kvm.libvirt;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.libvirt.jna.SizeT;

/**
 * Streams a local file into an existing storage volume ({@code virStorageVolUpload}), on a
 * connection of its own, so that it also works when the libvirt host is remote.
 */
final class VolumeUpload {
    /** Large enough to keep the RPC overhead small; libvirt splits it into its own packets. */
    private static final int CHUNK_BYTES = 1024 * 1024;

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
            stream = lib.virStreamNew(connection, 0); // blocking: send waits for the daemon to take data
            if (stream == null) {
                throw new LibvirtRegistrationException(where + ": cannot create a stream: " + lib.virGetLastErrorMessage());
            }
            long length = Files.size(image);
            if (lib.virStorageVolUpload(volume, stream, 0, length, 0) < 0) {
                throw new LibvirtRegistrationException(where + ": libvirt refused the upload: "
                        + lib.virGetLastErrorMessage());
            }
            long sent = send(lib, stream, image, where);
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

    private static long send(LibvirtNative lib, Pointer stream, Path image, String where) throws IOException {
        byte[] chunk = new byte[CHUNK_BYTES];
        long total = 0;
        try (InputStream in = Files.newInputStream(image)) {
            int n;
            while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                int offset = 0;
                while (offset < n) {
                    byte[] part = offset == 0 ? chunk : Arrays.copyOfRange(chunk, offset, n);
                    int sent = lib.virStreamSend(stream, part, new SizeT(n - offset));
                    if (sent <= 0) { // a blocking stream never returns 0 or -2; treat them as broken too
                        throw new LibvirtRegistrationException(where + ": transfer failed after " + total
                                + " bytes: " + lib.virGetLastErrorMessage());
                    }
                    offset += sent;
                    total += sent;
                }
            }
        }
        return total;
    }
}
