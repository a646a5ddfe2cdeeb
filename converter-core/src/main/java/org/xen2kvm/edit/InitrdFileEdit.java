package org.xen2kvm.edit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.KernelInfo;

/**
 * Applies a text edit to one file inside the initrd of every kernel that can boot on KVM, and
 * writes each changed initrd back in place. The initramfs keeps its own copy of some
 * configuration: Debian's lvm2 hook copies {@code /etc/lvm/}, so an lvm.conf filter that accepts
 * only {@code /dev/xvd*} stops the boot on KVM (no PV on {@code /dev/vda2}, no root LV) however
 * the root filesystem's copy is edited.
 *
 * <p>Reading and writing the image is left to an {@link Initramfs.Reader}: one line wires the
 * initramfs package in, e.g. in {@link GuestEditor#defaultEdits()}:
 * {@code new InitrdFileEdit("initramfs-lvm", "etc/lvm/lvm.conf", LvmFilterEdit::rewrite, reader)}.
 */
public final class InitrdFileEdit implements GuestEdit {
    /** Initrds of current distributions are tens of MiB; this bounds what a hostile one costs. */
    static final int MAX_INITRD_BYTES = 512 << 20;
    /** Configuration files, not data: larger ones are not edited. */
    static final int MAX_FILE_BYTES = 1 << 20;

    /** An initramfs image read into memory, whose files can be replaced. */
    public interface Initramfs {
        /** The contents of {@code path} (relative, {@code etc/lvm/lvm.conf}), or empty when absent. */
        Optional<byte[]> file(String path) throws IOException;

        /** Replaces (or adds) a regular file. */
        void replaceFile(String path, byte[] contents, int mode) throws IOException;

        /** The whole image again, in the compression it was read in. */
        byte[] write() throws IOException;

        /** Reads an image; {@code what} names it in errors ({@code /boot/initrd.img-6.1.0-28-amd64}). */
        @FunctionalInterface
        interface Reader {
            Initramfs read(String what, byte[] image) throws IOException;
        }
    }

    private final String name;
    private final String path;
    private final Function<String, Optional<String>> edit;
    private final Initramfs.Reader reader;

    /**
     * @param name   the edit's name in reports
     * @param path   the file inside the initramfs, relative ({@code etc/lvm/lvm.conf})
     * @param edit   the new text of the file, or empty when it needs no change
     * @param reader reads an initramfs image
     */
    public InitrdFileEdit(String name, String path, Function<String, Optional<String>> edit, Initramfs.Reader reader) {
        this.name = name;
        this.path = path;
        this.edit = edit;
        this.reader = reader;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        for (KernelInfo k : ctx.guest().kernels()) {
            if (k.xenOnly() || k.initrdPath() == null) {
                continue;
            }
            Optional<FileInfo> st = fs.stat(k.initrdPath());
            if (st.isEmpty()) {
                continue;
            }
            if (st.get().size() > MAX_INITRD_BYTES) {
                notes.add(WARNING + k.initrdPath() + " is larger than " + (MAX_INITRD_BYTES >> 20) + " MiB; its " + path
                        + " is not checked");
                continue;
            }
            Initramfs image = reader.read(k.initrdPath(), fs.readFile(k.initrdPath(), MAX_INITRD_BYTES));
            Optional<byte[]> file = image.file(path);
            if (file.isEmpty()) {
                continue;
            }
            if (file.get().length > MAX_FILE_BYTES) {
                notes.add(WARNING + k.initrdPath() + ": " + path + " is larger than 1 MiB; not edited");
                continue;
            }
            String before = new String(file.get(), StandardCharsets.UTF_8);
            Optional<String> after = edit.apply(before);
            if (after.isEmpty() || after.get().equals(before)) {
                continue;
            }
            image.replaceFile(path, after.get().getBytes(StandardCharsets.UTF_8), 0644);
            fs.writeFile(k.initrdPath(), image.write(), st.get().mode() & 07777, st.get().uid(), st.get().gid());
            notes.add(k.initrdPath() + ": " + path + " rewritten inside the initramfs");
        }
        return notes;
    }
}
