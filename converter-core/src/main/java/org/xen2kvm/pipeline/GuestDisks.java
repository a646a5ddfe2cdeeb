package org.xen2kvm.pipeline;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.ProgressListener;
import org.xen2kvm.xva.XvaArchive;
import org.xen2kvm.image.DiskFormat;
import org.xen2kvm.image.CowOverlay;
import org.xen2kvm.image.FormatImage;
import org.xen2kvm.image.write.SourceGuard;
import org.xen2kvm.image.open.ImageOpener;
import org.xen2kvm.plan.ConversionPlan;
import org.xen2kvm.plan.DiskCopy;

/**
 * The guest's disks opened read-only, each behind a copy-on-write overlay that receives
 * every edit. Closing releases the sources; nothing is ever written to them.
 */
final class GuestDisks implements Closeable {
    /** One opened disk. */
    record OpenDisk(DiskCopy copy, BlockDevice source, CowOverlay overlay) {
    }

    private final List<OpenDisk> disks;
    private final XvaArchive archive;
    private final Path archiveFile;

    private GuestDisks(List<OpenDisk> disks, XvaArchive archive, Path archiveFile) {
        this.disks = disks;
        this.archive = archive;
        this.archiveFile = archiveFile;
    }

    /**
     * Opens every disk of the plan.
     *
     * @param scratchDir where a compressed XVA's disks are unpacked (they cannot be read at
     *                   random); the files are removed on close
     */
    static GuestDisks open(ConversionPlan plan, boolean allowBacking, Path scratchDir, ProgressListener progress)
            throws IOException {
        List<OpenDisk> opened = new ArrayList<>();
        XvaArchive xva = null;
        try {
            for (DiskCopy c : plan.copies()) {
                BlockDevice src;
                if (c.sourceFormat() == DiskFormat.XVA) {
                    if (xva == null) {
                        xva = XvaArchive.open(Path.of(plan.source().sourceFile()));
                    }
                    src = xva.openDisk(c.sourcePath(), scratchDir, progress);
                } else {
                    src = ImageOpener.openImage(Path.of(c.sourcePath()), c.formatDeclared() ? c.sourceFormat() : null,
                            new ImageOpener.OpenOptions(allowBacking));
                }
                opened.add(new OpenDisk(c, src, new CowOverlay(src)));
            }
        } catch (IOException | RuntimeException e) {
            for (OpenDisk d : opened) {
                closeQuietly(d.source(), e);
            }
            if (xva != null) {
                xva.close();
            }
            throw e;
        }
        return new GuestDisks(opened, xva, xva == null ? null : Path.of(plan.source().sourceFile()));
    }

    List<OpenDisk> disks() {
        return disks;
    }

    /** Each disk's overlay by the path the KVM guest will see ({@code /dev/vda}), in order. */
    Map<String, BlockDevice> byKvmPath() {
        Map<String, BlockDevice> m = new LinkedHashMap<>();
        for (OpenDisk d : disks) {
            m.put("/dev/" + d.copy().targetDev(), d.overlay());
        }
        return m;
    }

    /** Every host file the disks read: each image with its backing chain, and the XVA archive. */
    List<Path> sourceFiles() {
        List<Path> files = new ArrayList<>();
        for (OpenDisk d : disks) {
            if (d.source() instanceof FormatImage image) {
                files.addAll(SourceGuard.chain(image));
            }
        }
        if (archiveFile != null) {
            files.add(archiveFile);
        }
        return files;
    }

    private static void closeQuietly(BlockDevice d, Throwable into) {
        try {
            d.close();
        } catch (IOException e) {
            into.addSuppressed(e);
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (OpenDisk d : disks) {
            try {
                d.overlay().close();
                d.source().close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (archive != null) {
            archive.close();
        }
        if (first != null) {
            throw first;
        }
    }
}
