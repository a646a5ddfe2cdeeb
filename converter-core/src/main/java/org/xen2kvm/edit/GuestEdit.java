package org.xen2kvm.edit;

import java.io.IOException;
import java.util.List;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * One change to a guest's files that it needs to boot on KVM. An edit is idempotent:
 * applying it to its own output changes nothing.
 */
public interface GuestEdit {

    /** Prefix of a returned note that the user should act on. */
    String WARNING = "warning: ";

    /** Short name for reports ({@code fstab}, {@code grub}). */
    String name();

    /**
     * Edits the guest.
     *
     * @return notes for the user, one line each; those starting with {@link #WARNING} need attention
     * @throws IOException when the guest filesystem fails (corruption, symlink loop, no space)
     */
    List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException;
}
