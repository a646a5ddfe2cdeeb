package org.xen2kvm.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.InitrdCache;
import org.xen2kvm.initramfs.CpioEntry;
import org.xen2kvm.initramfs.DracutRebuild;
import org.xen2kvm.initramfs.InitramfsImage;
import org.xen2kvm.initramfs.InitramfsLimits;
import org.xen2kvm.initramfs.InitramfsToolsRebuild;
import org.xen2kvm.initramfs.ModuleFile;
import org.xen2kvm.initramfs.NashRebuild;
import org.xen2kvm.initramfs.Rebuilt;
import org.xen2kvm.kmod.ModuleTree;

/**
 * Makes a kernel's initramfs boot on KVM, in place of the guest's own {@code update-initramfs}
 * or {@code dracut -f}, which cannot run here: it adds the modules {@link KvmBootModules} names
 * from the kernel's module tree in the guest, with fresh depmod indexes, and maps Xen device
 * names in the image's settings (a RESUME from a Xen disk that has no KVM name becomes none),
 * with the rebuilder of the tool that made the image ({@link InitramfsFormat}). Everything else
 * in the image stays; a segment it does not touch (the early microcode) is written back as read.
 */
public final class VirtioInitramfs {
    /**
     * Modules carried over from an old image to a new kernel's: a MODULES=most image holds a few
     * hundred; more than this is not an initramfs a boot needs.
     */
    static final int MAX_CARRIED_MODULES = 1000;
    /** The settings files are small; larger ones are not looked at for device names. */
    private static final int MAX_SETTINGS_BYTES = 1 << 20;
    /** A Xen virtual disk (/dev/xvda1, or nash's bare xvda1), as the rebuilders find them. */
    private static final Pattern XEN_DEVICE = Pattern.compile("(?<![\\w/])(/dev/)?xvd[a-z]+[0-9]*\\b");
    private static final List<String> MODULE_ROOTS = List.of("lib/modules", "usr/lib/modules");

    private VirtioInitramfs() {
    }

    /**
     * What the root filesystem needs besides the disk driver.
     *
     * @param rootFsType the root filesystem's type as fstab names it ("ext4", "xfs"); empty when unknown
     * @param rootOnLvm  root is a logical volume: dm_mod is needed, and the image must already hold
     *                   the lvm tool (it cannot be added here)
     */
    public record Needs(Optional<String> rootFsType, boolean rootOnLvm) {
        public Needs {
            rootFsType = rootFsType.flatMap(KvmBootModules::moduleOfType);
        }

        public static Needs of(String rootFsType, boolean rootOnLvm) {
            return new Needs(Optional.ofNullable(rootFsType), rootOnLvm);
        }
    }

    /**
     * What {@link #ensure} did.
     *
     * @param changed true when the image was rewritten
     * @param changes one line per change the rebuilder made (files added, settings mapped), or
     *                settings it had to leave; empty when nothing was needed
     * @param format  the tool that built the image
     */
    public record Result(boolean changed, List<String> changes, InitramfsFormat format) {
        public Result {
            changes = List.copyOf(changes);
        }

        /** Names of the modules added (from the "added .../X.ko" changes), in order. */
        public List<String> modulesAdded() {
            List<String> out = new ArrayList<>();
            for (String c : changes) {
                String name = c.startsWith("added ") ? ModuleFile.nameOf(c.substring("added ".length())) : null;
                if (name != null) {
                    out.add(name);
                }
            }
            return out;
        }

        /** The changes other than added files and rewritten indexes: settings and /init lines. */
        public List<String> settingsChanged() {
            return changes.stream().filter(c -> !c.startsWith("added ") && !c.startsWith("rewrote ")).toList();
        }

        /** One line for the conversion's report: "added modules a, b; conf/conf.d/resume: RESUME=... -> ...". */
        public String summary() {
            List<String> parts = new ArrayList<>();
            if (!modulesAdded().isEmpty()) {
                parts.add("added modules " + String.join(", ", modulesAdded()));
            }
            parts.addAll(settingsChanged());
            return parts.isEmpty() ? "nothing to change" : String.join("; ", parts);
        }
    }

    /**
     * Rebuilds {@code initrdPath}, the initramfs of kernel {@code release}, when it lacks a module
     * the KVM guest needs or names a Xen disk in its settings, and writes it back in place with
     * its mode and owner. An image that needs nothing is not rewritten, and the module tree is
     * read only when the image lacks something not listed as built in.
     *
     * @param deviceMap Xen device ("/dev/xvda1") to the KVM guest's, empty when it has none
     * @throws InitramfsRefusedException when the image cannot be made bootable here, saying why
     * @throws IOException when the image or a module is corrupt ({@link
     *         org.xen2kvm.initramfs.InitramfsFormatException}, {@link org.xen2kvm.kmod.ModuleFormatException})
     *         or the guest filesystem fails
     */
    public static Result ensure(GuestFileSystem fs, String release, String initrdPath, Needs needs,
            Function<String, Optional<String>> deviceMap) throws IOException {
        return ensure(fs, InitrdCache.empty(), release, initrdPath, needs, deviceMap);
    }

    /**
     * {@link #ensure(GuestFileSystem, String, String, Needs, Function)} with the conversion's
     * initrds: the image is taken from {@code initrds} (inflated there at most once per
     * conversion) and a rebuilt one is written through it.
     */
    public static Result ensure(GuestFileSystem fs, InitrdCache initrds, String release, String initrdPath, Needs needs,
            Function<String, Optional<String>> deviceMap) throws IOException {
        Optional<FileInfo> st = fs.stat(initrdPath);
        if (st.isEmpty() || st.get().type() != FileType.REGULAR) {
            throw new InitramfsRefusedException(initrdPath + ": no such file; kernel " + release + " has no initramfs to rebuild");
        }
        if (st.get().size() > InitramfsLimits.maxImageBytes()) {
            throw new InitramfsRefusedException(initrdPath + ": " + st.get().size() + " bytes, larger than "
                    + (InitramfsLimits.maxImageBytes() >> 20) + " MiB; not rebuilt");
        }
        InitramfsImage image = initrds.image(fs, initrdPath);
        InitramfsFormat format = requireKnown(image, initrdPath);
        requireLvmTool(image, needs, initrdPath);
        boolean xen = namesXenDevice(image, format);
        if (!xen && !KvmBootModules.maybeMissing(fs, release, moduleNames(image), needs)) {
            return new Result(false, List.of(), format);
        }
        KmodModuleSupply supply = scan(fs, release);
        List<String> notes = new ArrayList<>();
        List<String> modules = KvmBootModules.resolve(fs, supply.tree(), needs, notes);
        Rebuilt rebuilt = rebuild(format, image, release, supply, modules, deviceMap);
        List<String> changes = new ArrayList<>(notes);
        changes.addAll(rebuilt.changes());
        if (rebuilt.image().equals(image)) {
            return new Result(false, changes, format);
        }
        FileInfo info = st.get();
        initrds.write(fs, initrdPath, rebuilt.image(), info.mode() & 07777, info.uid(), info.gid());
        return new Result(true, changes, format);
    }

    /**
     * An initramfs for a newly installed kernel {@code newRelease}, made from {@code template}
     * (the image of the guest's old kernel, so the guest's own init, tools and settings): the
     * template's module trees are dropped and the new kernel's modules put in their place, those
     * the KVM guest needs plus the template's modules by name where the new tree has them (at most
     * {@value #MAX_CARRIED_MODULES}), with fresh indexes. The new release's module tree must
     * already be in the guest ({@code /lib/modules/NEW}).
     *
     * @throws InitramfsRefusedException as {@link #ensure}
     * @throws IOException as {@link #ensure}
     */
    public static byte[] buildFor(GuestFileSystem fs, InitramfsImage template, String newRelease, Needs needs,
            Function<String, Optional<String>> deviceMap) throws IOException {
        return rebuildFor(fs, template, newRelease, needs, deviceMap).image().write();
    }

    /** {@link #buildFor}, with the image unwritten and the changes made, for a report. */
    public static Rebuilt rebuildFor(GuestFileSystem fs, InitramfsImage template, String newRelease, Needs needs,
            Function<String, Optional<String>> deviceMap) throws IOException {
        return rebuildFor(fs, template, scan(fs, newRelease), needs, deviceMap);
    }

    /**
     * {@link #rebuildFor}, with the new release's module tree as the caller scanned it (a kernel
     * install scans it once for depmod's files; a second scan cost about a second).
     */
    public static Rebuilt rebuildFor(GuestFileSystem fs, InitramfsImage template, ModuleTree newTree, Needs needs,
            Function<String, Optional<String>> deviceMap) throws IOException {
        return rebuildFor(fs, template, new KmodModuleSupply(fs, newTree), needs, deviceMap);
    }

    private static Rebuilt rebuildFor(GuestFileSystem fs, InitramfsImage template, KmodModuleSupply supply, Needs needs,
            Function<String, Optional<String>> deviceMap) throws IOException {
        String newRelease = supply.tree().release();
        String what = "initramfs for " + newRelease;
        InitramfsFormat format = requireKnown(template, what);
        requireLvmTool(template, needs, what);
        List<String> changes = new ArrayList<>();
        List<String> needed = KvmBootModules.resolve(fs, supply.tree(), needs, changes);
        Set<String> old = moduleNames(template);
        InitramfsImage image = withoutModules(template, format);
        List<String> carried = new ArrayList<>();
        List<String> notInNew = new ArrayList<>();
        for (String name : old) {
            if (supply.tree().module(name).isEmpty()) {
                if (!supply.tree().isBuiltin(name)) {
                    notInNew.add(name);
                }
            } else if (!needed.contains(name) && carried.size() < MAX_CARRIED_MODULES) {
                carried.add(name);
            }
        }
        if (!notInNew.isEmpty()) {
            changes.add("not in kernel " + newRelease + ", left out: " + String.join(", ", notInNew));
        }
        if (carried.size() == MAX_CARRIED_MODULES) {
            changes.add("carried over the first " + MAX_CARRIED_MODULES + " modules of the old image only");
        }
        List<String> modules = new ArrayList<>(needed);
        if (format == InitramfsFormat.NASH) {
            // /init loads each module by its own insmod line: NashRebuild adds the files and the lines.
            modules.addAll(carried);
        } else {
            image = withModules(image, moduleDir(image, newRelease), supply, carried);
            if (!carried.isEmpty()) {
                changes.add("carried over " + carried.size() + " modules of the old image: " + String.join(", ", carried));
            }
        }
        Rebuilt rebuilt = rebuild(format, image, newRelease, supply, modules, deviceMap);
        changes.addAll(rebuilt.changes());
        return new Rebuilt(rebuilt.image(), changes);
    }

    private static KmodModuleSupply scan(GuestFileSystem fs, String release) throws IOException {
        String dir = ModuleTree.MODULES_DIR + "/" + release;
        Optional<FileInfo> st = release.contains("/") ? Optional.empty() : fs.stat(dir);
        if (st.isEmpty() || st.get().type() != FileType.DIRECTORY) {
            throw new InitramfsRefusedException("kernel " + release + " has no modules in the guest (no " + dir
                    + "); its initramfs cannot be given any");
        }
        return KmodModuleSupply.scan(fs, release);
    }

    private static Rebuilt rebuild(InitramfsFormat format, InitramfsImage image, String release, KmodModuleSupply supply,
            List<String> modules, Function<String, Optional<String>> deviceMap) throws IOException {
        return switch (format) {
            case INITRAMFS_TOOLS -> InitramfsToolsRebuild.rebuild(image, release, supply, modules, deviceMap);
            case DRACUT -> DracutRebuild.rebuild(image, release, supply, modules, deviceMap);
            case NASH -> NashRebuild.rebuild(image, supply, modules, deviceMap);
            case UNKNOWN -> throw new IllegalStateException("no rebuilder for an unknown initramfs");
        };
    }

    private static InitramfsFormat requireKnown(InitramfsImage image, String what) {
        InitramfsFormat format = InitramfsFormat.detect(image);
        if (format == InitramfsFormat.UNKNOWN) {
            throw new InitramfsRefusedException(what + ": not an image initramfs-tools, dracut or mkinitrd built (no "
                    + "conf/initramfs.conf, usr/lib/dracut/ or nash /init in it); not rebuilt");
        }
        return format;
    }

    private static void requireLvmTool(InitramfsImage image, Needs needs, String what) {
        if (!needs.rootOnLvm()) {
            return;
        }
        for (CpioEntry e : image.entries()) {
            String p = e.path();
            if ((e.isRegular() || e.isSymlink()) && (p.equals("lvm") || p.endsWith("/lvm")) && !p.contains("/modules/")) {
                return;
            }
        }
        throw new InitramfsRefusedException(what + ": the root is a logical volume but the image has no lvm tool to "
                + "activate it, and one cannot be added here; install lvm2 in the guest and rebuild its initramfs first");
    }

    /** Names of the modules the image holds (any .ko file in it). */
    static Set<String> moduleNames(InitramfsImage image) {
        Set<String> out = new LinkedHashSet<>();
        for (CpioEntry e : image.entries()) {
            String name = e.isRegular() ? ModuleFile.nameOf(e.path()) : null;
            if (name != null) {
                out.add(name);
            }
        }
        return out;
    }

    /** Whether the settings the rebuilder of {@code format} maps name a Xen disk. */
    static boolean namesXenDevice(InitramfsImage image, InitramfsFormat format) {
        for (CpioEntry e : image.entries()) {
            String p = e.path();
            boolean settings = switch (format) {
                case INITRAMFS_TOOLS -> p.equals("conf/initramfs.conf") || p.startsWith("conf/conf.d/") && p.indexOf('/', 12) < 0;
                case DRACUT -> p.startsWith("etc/cmdline.d/") && p.endsWith(".conf");
                case NASH -> p.equals("init");
                case UNKNOWN -> false;
            };
            if (settings && e.isRegular() && e.data().length <= MAX_SETTINGS_BYTES) {
                for (String line : new String(e.data(), StandardCharsets.ISO_8859_1).split("\n")) {
                    String t = line.strip();
                    boolean setting = format != InitramfsFormat.NASH || t.startsWith("mkrootdev") || t.startsWith("resume");
                    if (setting && !t.startsWith("#") && XEN_DEVICE.matcher(t).find()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The image without its kernel modules: the module trees, or nash's flat lib/*.ko. */
    private static InitramfsImage withoutModules(InitramfsImage image, InitramfsFormat format) {
        InitramfsImage out = image;
        for (CpioEntry e : image.entries()) {
            String p = e.path();
            boolean tree = MODULE_ROOTS.stream().anyMatch(r -> p.startsWith(r + "/"));
            boolean flat = format == InitramfsFormat.NASH && p.startsWith("lib/") && p.indexOf('/', 4) < 0
                    && ModuleFile.nameOf(p) != null;
            if (tree || flat) {
                out = out.remove(p);
            }
        }
        return out;
    }

    /** Where the rebuilders put {@code release}'s modules: under usr/ when lib is a link to usr/lib. */
    private static String moduleDir(InitramfsImage image, String release) {
        boolean merged = image.find("lib").map(CpioEntry::isSymlink).orElse(false);
        return (merged ? "usr/lib/modules/" : "lib/modules/") + release;
    }

    /** Adds {@code names} with their dependencies under {@code dir}, and the indexes for them. */
    private static InitramfsImage withModules(InitramfsImage image, String dir, KmodModuleSupply supply, List<String> names)
            throws IOException {
        if (names.isEmpty()) {
            return image;
        }
        long mtime = image.newestMtime();
        List<ModuleFile> files = supply.loadOrder(names);
        InitramfsImage out = image;
        for (ModuleFile m : files) {
            out = out.put(CpioEntry.file(dir + "/" + m.relativePath(), 0644, mtime, m.data()));
        }
        for (Map.Entry<String, byte[]> index : new TreeMap<>(supply.indexFiles(files)).entrySet()) {
            out = out.put(CpioEntry.file(dir + "/" + index.getKey(), 0644, mtime, index.getValue()));
        }
        return out;
    }
}
