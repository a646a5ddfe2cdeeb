package org.xen2kvm.pipeline;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.xen2kvm.disk.BlockDevice;
import org.xen2kvm.disk.CowOverlay;
import org.xen2kvm.disk.ImageOpener;
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

    private GuestDisks(List<OpenDisk> disks) {
        this.disks = disks;
    }

    static GuestDisks open(ConversionPlan plan, boolean allowBacking) throws IOException {
        List<OpenDisk> opened = new ArrayList<>();
        try {
            for (DiskCopy c : plan.copies()) {
                BlockDevice src = ImageOpener.open(Path.of(c.sourcePath()), c.formatDeclared() ? c.sourceFormat() : null,
                        new ImageOpener.OpenOptions(allowBacking));
                opened.add(new OpenDisk(c, src, new CowOverlay(src)));
            }
        } catch (IOException | RuntimeException e) {
            for (OpenDisk d : opened) {
                closeQuietly(d.source(), e);
            }
            throw e;
        }
        return new GuestDisks(opened);
    }

    List<OpenDisk> disks() {
        return disks;
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
        if (first != null) {
            throw first;
        }
    }
}
