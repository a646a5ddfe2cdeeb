package org.xen2kvm.edit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.KernelInfo;
import org.xen2kvm.initramfs.CpioEntry;
import org.xen2kvm.initramfs.InitramfsFormatException;
import org.xen2kvm.initramfs.InitramfsImage;

/**
 * Applies a text edit to one file inside the initrd of every kernel that can boot on KVM, and
 * writes each changed initrd back in place (segments it did not touch stay byte for byte, see
 * {@link InitramfsImage#write()}). Each initrd is read through the conversion's
 * {@link org.xen2kvm.guest.InitrdCache}, so one inspection already inflated is not inflated
 * again, and the edited image is what the next step reads. The initramfs keeps its own copy of some configuration:
 * Debian's lvm2 hook copies {@code /etc/lvm/}, so an lvm.conf filter that accepts only
 * {@code /dev/xvd*} stops the boot on KVM (no PV on {@code /dev/vda2}, so no root LV) however
 * the root filesystem's copy is edited.
 *
 * <p>{@link GuestEditor#defaultEdits()} runs it with {@link LvmFilterEdit#rewrite(String)} on
 * {@code etc/lvm/lvm.conf}.
 */
public final class InitrdFileEdit implements GuestEdit {
    /** Configuration files, not data: larger ones are not edited. */
    static final int MAX_FILE_BYTES = 1 << 20;

    private final String name;
    private final String path;
    private final Function<String, Optional<String>> edit;

    /**
     * @param name the edit's name in reports
     * @param path the file inside the initramfs, relative ({@code etc/lvm/lvm.conf})
     * @param edit the new text of the file, or empty when it needs no change
     */
    public InitrdFileEdit(String name, String path, Function<String, Optional<String>> edit) {
        this.name = name;
        this.path = path;
        this.edit = edit;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        // The initramfs carries a copy of the guest's own file: a guest without it (no lvm2
        // installed) has no copy to fix, and its initrds need not be read at all.
        if (!fs.exists("/" + path)) {
            return notes;
        }
        for (KernelInfo k : ctx.guest().kernels()) {
            if (k.xenOnly() || k.initrdPath() == null) {
                continue;
            }
            Optional<FileInfo> st = fs.stat(k.initrdPath());
            if (st.isEmpty()) {
                continue;
            }
            InitramfsImage image;
            try {
                image = ctx.guest().initrds().image(fs, k.initrdPath());
            } catch (InitramfsFormatException e) {
                // Corrupt, or too large for this heap (the cache says which). Not ours to refuse:
                // the guest booted with it on Xen; say what stays unchecked.
                notes.add(WARNING + e.getMessage() + "; its " + path + " is not checked");
                continue;
            }
            Optional<CpioEntry> entry = image.find(path).filter(CpioEntry::isRegular);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.get().data().length > MAX_FILE_BYTES) {
                notes.add(WARNING + k.initrdPath() + ": " + path + " is larger than 1 MiB; not edited");
                continue;
            }
            String before = new String(entry.get().data(), StandardCharsets.UTF_8);
            Optional<String> after;
            try {
                after = edit.apply(before);
            } catch (Xen2KvmException e) {
                notes.add(WARNING + k.initrdPath() + ": " + path + " inside the initramfs not edited: " + e.getMessage());
                continue;
            }
            if (after.isEmpty() || after.get().equals(before)) {
                continue;
            }
            InitramfsImage edited = image.replaceFile(path, after.get().getBytes(StandardCharsets.UTF_8),
                    entry.get().mode() & CpioEntry.PERMISSIONS);
            ctx.guest().initrds().write(fs, k.initrdPath(), edited, st.get().mode() & 07777, st.get().uid(), st.get().gid());
            notes.add(k.initrdPath() + ": " + path + " rewritten inside the initramfs");
        }
        return notes;
    }
}
