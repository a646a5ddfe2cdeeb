package org.xen2kvm.image.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import org.xen2kvm.image.FormatImage;

/**
 * Refuses outputs that would overwrite a source. A path that differs as text may still be the
 * same file: {@code ./s.img}, a symlink, a hard link, a symlinked parent directory, a backing
 * file of the image being read. So an existing output is compared by device and inode
 * (file key), and one not yet created by its resolved parent directory plus its name. The
 * {@code .part} each output is written through is checked too: it is created, and a stale one
 * deleted, before anything is renamed.
 */
public final class SourceGuard {
    /** Symlinks followed by hand before giving up on a dangling chain (the kernel allows 40). */
    private static final int MAX_LINKS = 40;

    private SourceGuard() {
    }

    /** The files an opened image reads: the image itself and every backing file below it. */
    public static List<Path> chain(FormatImage image) {
        List<Path> files = new ArrayList<>();
        for (FormatImage l = image; l != null; l = l.backing()) {
            files.add(l.path());
        }
        return files;
    }

    /**
     * Checks that no output (nor its {@code .part}) is any of the sources.
     *
     * @param sources every file read: images, their backing chains, an XVA archive, the
     *                guest definition
     * @param outputs every file to be written
     * @throws OutputIsSourceException naming the first output that is a source, and the source
     */
    public static void check(Collection<Path> sources, Collection<Path> outputs) {
        List<Resolved> src = new ArrayList<>();
        for (Path s : new LinkedHashSet<>(sources)) {
            src.add(Resolved.of(s));
        }
        for (Path out : outputs) {
            for (Path written : List.of(out, AtomicOutput.partOf(out))) {
                Resolved o = Resolved.of(written);
                for (Resolved s : src) {
                    String how = o.sameAs(s);
                    if (how != null) {
                        throw new OutputIsSourceException(written, s.path, how);
                    }
                }
            }
        }
    }

    /** A path with its canonical form and, when it exists, its device and inode. */
    private record Resolved(Path path, Path canonical, Object fileKey) {
        static Resolved of(Path p) {
            Path canonical = canonical(p.toAbsolutePath().normalize(), 0);
            Object key = null;
            try {
                key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
            } catch (IOException e) {
                // Does not exist (yet): the canonical path decides.
            }
            return new Resolved(p, canonical, key);
        }

        /** How this output is {@code s}, or null when it is a different file. */
        String sameAs(Resolved s) {
            if (canonical.equals(s.canonical)) {
                return path.equals(s.path) ? "is" : "resolves to";
            }
            if (fileKey != null && Objects.equals(fileKey, s.fileKey)) {
                return "is a hard link to";
            }
            return null;
        }

        /**
         * The real path of {@code p}; for a file that does not exist, its parent's real path
         * plus the name, after following a dangling symlink by hand.
         */
        private static Path canonical(Path p, int links) {
            try {
                return p.toRealPath();
            } catch (IOException e) {
                // Falls through: not there, or a dangling link.
            }
            if (links < MAX_LINKS && Files.isSymbolicLink(p)) {
                try {
                    Path target = Files.readSymbolicLink(p);
                    Path next = p.getParent() == null ? target : p.getParent().resolve(target);
                    return canonical(next.toAbsolutePath().normalize(), links + 1);
                } catch (IOException e) {
                    return p;
                }
            }
            Path parent = p.getParent();
            if (parent == null || p.getFileName() == null) {
                return p;
            }
            return canonical(parent, links).resolve(p.getFileName());
        }
    }
}
