package org.xen2kvm.pkg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A supplied package seen as a kernel: its metadata, the kernel release it carries and its
 * entries. A kernel package has a kernel image ({@code /boot/vmlinuz-REL}, or
 * {@code /lib/modules/REL/vmlinuz} as Fedora's kernel-core places it) and the module tree
 * {@code /lib/modules/REL/} (or {@code /usr/lib/modules/REL/}) of the same release.
 */
public final class KernelPackage {
    private static final Pattern BOOT_IMAGE = Pattern.compile("/boot/vmlinu[xz]-([^/]+)");
    private static final Pattern MODULES = Pattern.compile("(?:/usr)?/lib/modules/([^/]+)(/.*)?");
    private static final Pattern MODULES_IMAGE = Pattern.compile("(?:/usr)?/lib/modules/([^/]+)/vmlinuz");

    private final PackageArchive archive;
    private final String kernelRelease;
    private final String kernelImage;

    private KernelPackage(PackageArchive archive, String kernelRelease, String kernelImage) {
        this.archive = archive;
        this.kernelRelease = kernelRelease;
        this.kernelImage = kernelImage;
    }

    /**
     * Looks for the kernel in {@code archive}: in the header's file list when it has one, else
     * in the payload, which is read only until a kernel image and its module tree were seen.
     *
     * @throws PackageFormatException if the payload is corrupt where it is read
     */
    public static KernelPackage of(PackageArchive archive) throws IOException {
        Finder finder = new Finder();
        Optional<List<String>> listed = archive.listedPaths();
        if (listed.isPresent()) {
            listed.get().forEach(finder::see);
        } else {
            try (EntryReader r = archive.entries()) {
                PackageEntry e;
                while (!finder.found() && (e = r.next()) != null) {
                    finder.see(e.path());
                }
            }
        }
        return finder.found() ? new KernelPackage(archive, finder.release, finder.image) : new KernelPackage(archive, null, null);
    }

    /** Collects image and module-tree releases until one release has both. */
    private static final class Finder {
        final Map<String, String> imageByRelease = new HashMap<>();
        final Set<String> moduleTrees = new HashSet<>();
        String release;
        String image;

        void see(String path) {
            if (release != null) {
                return;
            }
            Matcher m = BOOT_IMAGE.matcher(path);
            Matcher mi = MODULES_IMAGE.matcher(path);
            if (m.matches()) {
                imageByRelease.putIfAbsent(m.group(1), path);
                match(m.group(1));
            } else if (mi.matches()) {
                imageByRelease.putIfAbsent(mi.group(1), path);
                match(mi.group(1));
            }
            Matcher mm = MODULES.matcher(path);
            if (mm.matches() && moduleTrees.add(mm.group(1))) {
                match(mm.group(1));
            }
        }

        private void match(String rel) {
            if (release == null && imageByRelease.containsKey(rel) && moduleTrees.contains(rel)) {
                release = rel;
                image = imageByRelease.get(rel);
            }
        }

        boolean found() {
            return release != null;
        }
    }

    public Path file() {
        return archive.file();
    }

    public PackageArchive archive() {
        return archive;
    }

    public PackageMetadata metadata() {
        return archive.metadata();
    }

    public String name() {
        return metadata().name();
    }

    public String version() {
        return metadata().version();
    }

    public String architecture() {
        return metadata().architecture();
    }

    public PackageFormat format() {
        return metadata().format();
    }

    /** The release ({@code uname -r}) of the kernel the package carries, or empty when it carries none. */
    public Optional<String> kernelRelease() {
        return Optional.ofNullable(kernelRelease);
    }

    /** Path of the kernel image in the installed system ({@code /boot/vmlinuz-REL}), or empty. */
    public Optional<String> kernelImage() {
        return Optional.ofNullable(kernelImage);
    }

    /** True when the package carries a kernel image and the module tree of the same release. */
    public boolean isKernel() {
        return kernelRelease != null;
    }

    /** Streams the payload from its start. */
    public EntryReader entries() throws IOException {
        return archive.entries();
    }

    /**
     * The dependencies the guest cannot satisfy. A dependency is satisfied by any alternative
     * that the package itself provides (by name, Provides or, for a path, its own files) or
     * that {@code guestHas} accepts. Version constraints are shown but not compared: the
     * predicate answers for a name (a package, a virtual package, an RPM capability or a file path).
     */
    public List<Dependency> missingDependencies(Predicate<String> guestHas) {
        Set<String> own = new HashSet<>(metadata().provides());
        own.add(name());
        archive.listedPaths().ifPresent(own::addAll);
        List<Dependency> missing = new ArrayList<>();
        for (Dependency d : metadata().depends()) {
            boolean ok = d.alternatives().stream().anyMatch(r -> own.contains(r.name()) || guestHas.test(r.name()));
            if (!ok) {
                missing.add(d);
            }
        }
        return missing;
    }

    /**
     * Refuses a package that cannot go into the guest: built for another architecture, not a
     * kernel, or depending on what the guest lacks (named in the message).
     *
     * @param guestArch the guest's architecture in either naming ({@code amd64}, {@code x86_64}, {@code i686} ...)
     * @param guestHas  whether the guest has a package, virtual package, capability or file of that name
     * @throws PackageRefusedException with the reason and a one-line message naming the file
     */
    public void check(String guestArch, Predicate<String> guestHas) {
        String what = file() + ": package " + name() + " " + version();
        if (!Architectures.fits(architecture(), guestArch)) {
            throw new PackageRefusedException(PackageRefusedException.Reason.WRONG_ARCHITECTURE, what + " is built for "
                    + architecture() + ", the guest is " + guestArch + "; pass a kernel package built for "
                    + Architectures.family(guestArch));
        }
        if (!isKernel()) {
            throw new PackageRefusedException(PackageRefusedException.Reason.NOT_A_KERNEL, what
                    + " carries no kernel (no /boot/vmlinuz-RELEASE with a /lib/modules/RELEASE/ tree); pass a kernel image"
                    + " package such as linux-image-*.deb or kernel-*.rpm");
        }
        List<Dependency> missing = missingDependencies(guestHas);
        if (!missing.isEmpty()) {
            throw new PackageRefusedException(PackageRefusedException.Reason.MISSING_DEPENDENCIES, what
                    + " needs what the guest lacks: " + missing.stream().map(Dependency::toString).collect(Collectors.joining(", "))
                    + "; install it in the guest first, or pass a kernel package whose dependencies the guest has");
        }
    }

    @Override
    public String toString() {
        return name() + " " + version() + " (" + architecture() + ", " + format() + ")"
                + (kernelRelease == null ? "" : ", kernel " + kernelRelease);
    }
}
