package org.xen2kvm.libvirt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.StoragePool;
import org.xen2kvm.testutil.ExternalTool;

/** Uploads into a transient directory pool on qemu:///system (the test driver cannot upload). */
class VolumeUploadTest {
    @TempDir
    Path dir;
    private LibvirtRegistrar registrar;
    private Connect admin;
    private StoragePool pool;
    private String poolName;
    private Path poolDir;

    @BeforeEach
    void setUp() throws Exception {
        registrar = QemuTestEnvironment.connect();
        admin = new Connect(QemuTestEnvironment.URI, false);
        poolName = "xen2kvm-test-pool-" + UUID.randomUUID().toString().substring(0, 8);
        poolDir = Files.createDirectory(dir.resolve("pool"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        pool = admin.storagePoolCreateXML("<pool type='dir'><name>" + poolName + "</name><target><path>" + poolDir
                + "</path></target></pool>", 0);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (pool != null) {
                pool.destroy(); // transient: destroying also forgets it
            }
            if (admin != null) {
                admin.close();
            }
        } finally {
            if (registrar != null) {
                registrar.close();
            }
        }
    }

    /** Random content with an odd size, so a short or padded upload shows. */
    private Path image(int size, long seed) throws Exception {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Path image = dir.resolve("disk-" + seed + ".img");
        Files.write(image, data);
        return image;
    }

    @Test
    void uploadsAnImageByteForByteAndDeletesIt() throws Exception {
        Path image = image(3 * 1024 * 1024 + 12345, 1);
        UploadedVolume volume = registrar.uploadVolume(poolName, "guest-disk0.img", image, false);

        assertEquals(poolDir.resolve("guest-disk0.img").toString(), volume.path());
        assertEquals(poolName, volume.pool());
        assertArrayEquals(Files.readAllBytes(image), Files.readAllBytes(Path.of(volume.path())));
        assertTrue(registrar.volumeExists(volume));

        registrar.deleteVolume(volume);
        assertFalse(registrar.volumeExists(volume));
        assertFalse(Files.exists(Path.of(volume.path())));
        registrar.deleteVolume(volume); // already gone: no error
    }

    /**
     * 64 MiB of which 2 MiB is data, in three places with holes between and after: the volume
     * holds the same bytes and, because only data and hole messages travel, stays as sparse.
     */
    @Test
    void uploadsOnlyTheDataOfASparseImage() throws Exception {
        Path image = dir.resolve("sparse.img");
        long size = 64L << 20;
        byte[] block = new byte[1 << 20];
        new Random(7).nextBytes(block);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(image,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(block, 0, 4096), 0);
            ch.write(java.nio.ByteBuffer.wrap(block), 20L << 20);
            ch.write(java.nio.ByteBuffer.wrap(block, 0, 12345), 40L << 20);
        }
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(size); // the trailing hole
        }
        UploadedVolume volume = registrar.uploadVolume(poolName, "sparse.img", image, false);
        Path uploaded = Path.of(volume.path());
        assertEquals(size, Files.size(uploaded));
        assertArrayEquals(Files.readAllBytes(image), Files.readAllBytes(uploaded));
        ExternalTool.Result blocks = ExternalTool.run(List.of("stat", "-c", "%b", uploaded.toString()));
        long allocated = Long.parseLong(blocks.output().trim()) * 512;
        assertTrue(allocated < (8L << 20), "the volume has " + allocated + " bytes allocated for 2 MiB of data");
    }

    @Test
    void refusesAnExistingVolumeUnlessReplace() throws Exception {
        UploadedVolume first = registrar.uploadVolume(poolName, "disk.img", image(1000, 2), false);
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> registrar.uploadVolume(poolName, "disk.img", image(2000, 3), false));
        assertEquals(QemuTestEnvironment.URI + ": volume 'disk.img' already exists in pool '" + poolName + "' ("
                + first.path() + "); choose another name, or pass --replace to overwrite it", e.getMessage());

        Path second = image(2000, 3);
        UploadedVolume replaced = registrar.uploadVolume(poolName, "disk.img", second, true);
        assertArrayEquals(Files.readAllBytes(second), Files.readAllBytes(Path.of(replaced.path())));
    }

    @Test
    void aFailedRegistrationDeletesTheUploadedVolume() throws Exception {
        Path image = image(4096, 4);
        IllegalStateException forced = new IllegalStateException("forced failure after upload");
        UploadedVolume[] volume = new UploadedVolume[1];
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (Registration tx = registrar.begin()) {
                volume[0] = tx.uploadVolume(poolName, "rollback.img", image, false);
                assertTrue(Files.exists(Path.of(volume[0].path())));
                throw forced;
            }
        });
        assertSame(forced, thrown);
        assertFalse(registrar.volumeExists(volume[0]));
        assertFalse(Files.exists(Path.of(volume[0].path())));
    }

    @Test
    void refusesAVolumeNameThatIsNotAPlainFileName() throws Exception {
        Path image = image(10, 5);
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> registrar.uploadVolume(poolName, "../escape.img", image, false));
        assertEquals(QemuTestEnvironment.URI + ": volume name '../escape.img' is not a plain file name (letters,"
                + " digits, '.', '_', '+', '-'; not starting with '.'); rename it", e.getMessage());
    }
}
