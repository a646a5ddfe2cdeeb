package org.xen2kvm.image.open;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xen2kvm.WarmUp;
import org.xen2kvm.image.BackingOpener;
import org.xen2kvm.image.BackingReference;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.FormatImage;
import org.xen2kvm.image.FormatProbe;
import org.xen2kvm.image.ImageInfo;
import org.xen2kvm.image.ImageLimits;
import org.xen2kvm.image.RawFileDevice;
import org.xen2kvm.image.qcow.QcowImage;
import org.xen2kvm.image.qcow2.Qcow2Image;
import org.xen2kvm.image.vhd.VhdImage;
import org.xen2kvm.image.DiskFormat;

/**
 * Opens a guest disk image as a read-only {@link BlockDevice}, decoding its format and its
 * whole backing chain.
 *
 * <p>Format safety: when {@code declared} is non-null the content is never probed (a raw disk
 * whose guest wrote a qcow2 header into it stays raw). When the format was probed, or a
 * parent's format must be probed because the header does not name it, the chain may only use
 * files inside the top image's directory unless {@link OpenOptions#allowBacking()} is set: a
 * guest-controlled header must not make us read arbitrary host files.
 */
public final class ImageOpener {
    private ImageOpener() {
    }

    /**
     * Loads what opening an image needs (the native sparse-file access, the format probe and
     * the chain walker), for a command that wants it done on a spare CPU; see {@link WarmUp}.
     */
    public static void warmUp() {
        RawFileDevice.warmUp();
        WarmUp.initialize(Chain.class, OpenOptions.class, FormatProbe.class, BackingOpener.class,
                BackingReference.class, ImageInfo.class, DiskFormat.class, DiskFormatException.class);
    }

    /**
     * Read-only open of {@code path}; {@code declared} null means "probe the content".
     *
     * @throws DiskFormatException when the image or a parent is corrupt, unsupported, loops,
     *                             or names a parent the safety rules forbid
     * @throws IOException         when a file cannot be read
     */
    public static BlockDevice open(Path path, DiskFormat declared, OpenOptions options) throws IOException {
        return openImage(path, declared, options);
    }

    /** Like {@link #open} but returns the decoded image with its format, file and parent. */
    public static FormatImage openImage(Path path, DiskFormat declared, OpenOptions options) throws IOException {
        return new Chain(path, options).openLayer(path, declared, 0);
    }

    /**
     * Describes {@code path} and its backing chain for {@code disk info}.
     *
     * @throws DiskFormatException as {@link #open}
     */
    public static ImageInfo inspect(Path path, DiskFormat declared, OpenOptions options) throws IOException {
        try (FormatImage image = openImage(path, declared, options)) {
            List<FormatImage> layers = new ArrayList<>();
            for (FormatImage l = image; l != null; l = l.backing()) {
                layers.add(l);
            }
            List<ImageInfo> below = new ArrayList<>();
            ImageInfo info = null;
            for (int i = layers.size() - 1; i >= 0; i--) {
                FormatImage l = layers.get(i);
                info = new ImageInfo(l.path(), l.format(), l.size(), l.allocatedBytes(), below, l.details());
                List<ImageInfo> next = new ArrayList<>();
                next.add(info);
                next.addAll(below);
                below = next;
            }
            return info;
        }
    }

    /** Options for opening images. */
    public record OpenOptions(boolean allowBacking) {
        public static final OpenOptions DEFAULT = new OpenOptions(false);
    }

    /** State of one open: the files already in the chain and the directory a probed chain stays in. */
    private static final class Chain {
        private final OpenOptions options;
        private final Path top;
        private final Set<Path> visited = new HashSet<>();

        Chain(Path top, OpenOptions options) {
            this.top = top;
            this.options = options;
        }

        FormatImage openLayer(Path path, DiskFormat declared, int depth) throws IOException {
            visited.add(path.toRealPath());
            RawFileDevice file = RawFileDevice.openReadOnly(path);
            DiskFormat format;
            try {
                format = declared != null ? declared : FormatProbe.probe(file);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
            boolean probed = declared == null;
            BackingOpener parents = ref -> openBacking(path, probed, ref, depth + 1);
            switch (format) {
                case RAW:
                    return file;
                case QCOW2:
                    return Qcow2Image.open(file, parents);
                case QCOW:
                    return QcowImage.open(file, parents);
                case VHD:
                    return VhdImage.open(file, parents);
                default:
                    file.close();
                    throw new DiskFormatException(path, 0, "image format " + format.label() + " is not supported;"
                            + " convert it with 'qemu-img convert -O qcow2' first");
            }
        }

        private FormatImage openBacking(Path child, boolean childProbed, BackingReference ref, int depth)
                throws IOException {
            if (depth > ImageLimits.MAX_CHAIN_DEPTH) {
                throw new DiskFormatException(child, ref.fieldOffset(), "backing chain is longer than "
                        + ImageLimits.MAX_CHAIN_DEPTH + " images; flatten it with qemu-img convert first");
            }
            Path resolved = resolve(child, ref);
            Path real = resolved.toRealPath();
            if (visited.contains(real)) {
                throw new DiskFormatException(child, ref.fieldOffset(), "backing chain loop: backing file '"
                        + printable(ref.name()) + "' (" + real + ") is already part of the chain");
            }
            boolean confined = childProbed || ref.format() == null;
            if (confined && !options.allowBacking()) {
                Path dir = top.toAbsolutePath().getParent().toRealPath();
                if (!real.startsWith(dir)) {
                    String why = childProbed ? "the image format was probed"
                            : "the header does not record the backing file's format";
                    throw new DiskFormatException(child, ref.fieldOffset(), "backing file '" + printable(ref.name())
                            + "' resolves to " + real + ", outside " + dir + "; " + why + ", so"
                            + " pass --allow-backing to follow it (only for images you trust)");
                }
            }
            return openLayer(resolved, ref.format(), depth);
        }

        /** The first candidate name that exists, relative names taken from the child's directory. */
        private static Path resolve(Path child, BackingReference ref) throws DiskFormatException {
            Path dir = child.toAbsolutePath().getParent();
            List<Path> tried = new ArrayList<>();
            for (String name : ref.candidates()) {
                Path p;
                try {
                    p = dir.resolve(hostName(name)).normalize();
                } catch (InvalidPathException e) {
                    continue;
                }
                tried.add(p);
                if (Files.exists(p)) {
                    return p;
                }
            }
            throw new DiskFormatException(child, ref.fieldOffset(), "backing file '" + printable(ref.name())
                    + "' not found (looked for " + printable(tried.toString()) + ")");
        }

        /** A header-supplied name made safe for a one-line message: control characters escaped. */
        private static String printable(String name) {
            StringBuilder sb = new StringBuilder(name.length());
            name.codePoints().forEach(c -> {
                if (Character.isISOControl(c)) {
                    sb.append(String.format(Locale.ROOT, "\\x%02x", c));
                } else {
                    sb.appendCodePoint(c);
                }
            });
            return sb.toString();
        }

        /** Turns a stored parent name (file URL, Windows separators) into a host path. */
        private static String hostName(String name) {
            String n = name;
            if (n.toLowerCase(Locale.ROOT).startsWith("file://")) {
                n = n.substring("file://".length());
                if (n.startsWith("localhost/")) {
                    n = n.substring("localhost".length());
                }
            }
            return n.replace('\\', '/');
        }
    }
}
