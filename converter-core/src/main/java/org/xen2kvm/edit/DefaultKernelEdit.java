package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.BootloaderInfo;
import org.xen2kvm.guest.GrubConfigs;
import org.xen2kvm.guest.GuestInspector;
import org.xen2kvm.guest.KernelChoice;
import org.xen2kvm.guest.KernelVerdict;
import org.xen2kvm.guest.TextFiles;

/**
 * Moves the boot menu's default off a kernel that cannot boot on KVM, or that lacks virtio_net
 * or is a debug flavour when a better one is installed, onto the kernel inspection chose
 * ({@link KernelChoice}): GRUB 2 (with {@code GRUB_DEFAULT} or grubenv kept in agreement), GRUB
 * legacy and extlinux. A default that boots a kernel as good as the chosen one is the user's
 * choice and stays. The other entries stay, the Xen kernel's as a fallback.
 */
public final class DefaultKernelEdit implements GuestEdit {

    @Override
    public String name() {
        return "default-kernel";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        List<KernelVerdict> verdicts = ctx.guest().verdicts();
        KernelVerdict chosen = ctx.guest().kernelChoice().chosen();
        if (chosen == null) {
            return notes;
        }
        String chosenBase = base(chosen.kernelPath());
        for (String p : GrubEdit.GRUB2_CONFIGS) {
            if (BootDefaults.isRegular(fs, p)) {
                grub2(fs, p, verdicts, chosen, chosenBase, notes);
            }
        }
        for (String p : GrubEdit.LEGACY_CONFIGS) {
            if (BootDefaults.isRegular(fs, p)) {
                legacy(fs, p, verdicts, chosen, chosenBase, notes);
            }
        }
        for (String p : GuestInspector.EXTLINUX_CONFIGS) {
            if (BootDefaults.isRegular(fs, p)) {
                extlinux(fs, p, verdicts, chosen, chosenBase, notes);
            }
        }
        return notes;
    }

    private static String base(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * True when the default entry's kernel stays the default: it is the chosen one, or it boots
     * on KVM and the chosen one is no better (a kernel without virtio_net, or a debug flavour,
     * gives way to one that has it / is not; a newer kernel alone is no reason to move).
     */
    private static boolean keepsDefault(List<KernelVerdict> verdicts, String menuPath, KernelVerdict chosen) {
        Optional<KernelVerdict> d = KernelChoice.byMenuPath(verdicts, menuPath);
        if (d.isEmpty() || !d.get().kvmCapable()) {
            return false;
        }
        return base(d.get().kernelPath()).equals(base(chosen.kernelPath())) || rank(d.get()) >= rank(chosen);
    }

    private static int rank(KernelVerdict v) {
        return (v.complete() ? 2 : 0) + (v.debug() ? 0 : 1);
    }

    private static void grub2(GuestFileSystem fs, String path, List<KernelVerdict> verdicts, KernelVerdict chosen,
                              String chosenBase, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        Grub2Menu menu = new Grub2Menu(text);
        Optional<Grub2Menu.Entry> current = menu.defaultValue().isPresent() || !menu.savedDefault
                ? menu.resolve(menu.defaultValue().orElse("")) : savedEntry(fs, path, menu);
        if (current.isPresent() && keepsDefault(verdicts, current.get().kernel(), chosen)) {
            return;
        }
        Optional<Grub2Menu.Entry> target = menu.entries.stream()
                .filter(e -> base(e.kernel()).equals(chosenBase) && !e.recovery())
                .min((a, b) -> Boolean.compare(b.top(), a.top()));
        if (target.isEmpty()) {
            notes.add(WARNING + path + ": no menu entry boots the chosen kernel " + chosen.release()
                    + "; the default " + current.map(Grub2Menu.Entry::titlePath).orElse("(none)")
                    + " stays; run update-grub in the guest");
            return;
        }
        BootDefaults.grub2(fs, path, text, menu, target.get(), BootDefaults.stableTitle(menu, target.get()), notes);
    }

    private static Optional<Grub2Menu.Entry> savedEntry(GuestFileSystem fs, String cfgPath, Grub2Menu menu) throws IOException {
        String env = cfgPath.substring(0, cfgPath.lastIndexOf('/')) + "/grubenv";
        if (!fs.exists(env)) {
            return menu.resolve("");
        }
        try {
            String saved = GrubEnv.parse(env, fs.readFile(env, GrubEnv.SIZE + 1)).get("saved_entry");
            return menu.resolve(saved == null ? "" : saved);
        } catch (org.xen2kvm.Xen2KvmException e) {
            return menu.resolve("");
        }
    }

    private static void legacy(GuestFileSystem fs, String path, List<KernelVerdict> verdicts, KernelVerdict chosen,
                               String chosenBase, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        BootloaderInfo menu = GrubConfigs.parseLegacy(path, text);
        if (menu.defaultEntry() < 0 || keepsDefault(verdicts, menu.entries().get(menu.defaultEntry()).kernelPath(), chosen)) {
            return;
        }
        for (int i = 0; i < menu.entries().size(); i++) {
            if (base(menu.entries().get(i).kernelPath()).equals(chosenBase)) {
                List<String> lines = new ArrayList<>(TextFiles.lines(text));
                BootDefaults.legacy(fs, path, lines, i, 0, menu.entries().get(i).title(), notes);
                fs.writeText(path, TextFiles.join(lines, text.endsWith("\n")));
                return;
            }
        }
        notes.add(WARNING + path + ": no title boots the chosen kernel " + chosen.release() + "; the default stays");
    }

    private static void extlinux(GuestFileSystem fs, String path, List<KernelVerdict> verdicts, KernelVerdict chosen,
                                 String chosenBase, List<String> notes) throws IOException {
        String text = TextFiles.read(fs, path).orElseThrow();
        BootloaderInfo menu = GrubConfigs.parseExtlinux(path, text);
        if (menu.defaultEntry() < 0 || keepsDefault(verdicts, menu.entries().get(menu.defaultEntry()).kernelPath(), chosen)) {
            return;
        }
        for (var e : menu.entries()) {
            if (base(e.kernelPath()).equals(chosenBase)) {
                List<String> lines = new ArrayList<>(TextFiles.lines(text));
                BootDefaults.extlinux(lines, e.title());
                fs.writeText(path, TextFiles.join(lines, text.endsWith("\n")));
                notes.add(path + ": default is now " + e.title() + " (" + e.kernelPath() + ")");
                return;
            }
        }
        notes.add(WARNING + path + ": no label boots the chosen kernel " + chosen.release() + "; the default stays");
    }
}
