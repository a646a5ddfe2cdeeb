package org.xen2kvm.pkg;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Installs a package's files into a guest filesystem offline, the part of {@code dpkg -i} /
 * {@code rpm -i} that unpacks: every entry with its mode and owner, directories created as
 * needed, symlinks as symlinks, hard links as copies (a guest filesystem here has no link
 * operation), existing files and symlinks replaced, existing directories kept. Paths are
 * resolved through the guest's symlinks (usrmerge). Maintainer scripts are not run (they are
 * named in the warnings); the package database is not touched: the first-boot service
 * registers the package from the returned {@link InstalledPackage}. Entries are streamed one
 * at a time, so memory holds one file.
 *
 * <p>Call {@link KernelPackage#check} first: the installer writes whatever it is given.
 */
public final class PackageInstaller {
    private PackageInstaller() {
    }

    /**
     * Writes every entry of {@code pkg} into {@code fs}.
     *
     * @throws PackageFormatException if the payload is corrupt (what was written so far stays: install into an overlay)
     * @throws FileSystemException    if the guest filesystem refuses a write (full, an entry where a directory is)
     */
    public static InstalledPackage install(GuestFileSystem fs, KernelPackage pkg) throws IOException {
        GuestAccounts accounts = GuestAccounts.read(fs);
        List<InstalledFile> files = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        // Where each regular file of the package went: a hard link may only name one of them,
        // as dpkg insists, so a hostile package cannot copy a guest file such as /etc/shadow.
        Map<String, String> installedFiles = new HashMap<>();
        if (!pkg.metadata().scripts().isEmpty()) {
            warnings.add(pkg.file() + ": maintainer scripts not run offline: " + String.join(", ", pkg.metadata().scripts()));
        }
        try (EntryReader r = pkg.entries()) {
            PackageEntry e;
            while ((e = r.next()) != null) {
                String where = GuestPaths.resolveParent(fs, e.path());
                int uid = owner(e.user(), e.uid(), accounts.uid(e.user()), "user", e, warnings, pkg);
                int gid = owner(e.group(), e.gid(), accounts.gid(e.group()), "group", e, warnings, pkg);
                if (!where.equals("/")) {
                    makeParents(fs, where, files);
                }
                switch (e.type()) {
                    case DIRECTORY -> files.add(directory(fs, e, where, uid, gid, files));
                    case FILE -> {
                        files.add(write(fs, e, where, r.content(), uid, gid, ""));
                        installedFiles.put(e.path(), where);
                    }
                    case HARDLINK -> {
                        String source = installedFiles.get(e.linkTarget());
                        if (source == null) {
                            throw new PackageFormatException(pkg.file(), "entry " + e.path(), "hard link to " + e.linkTarget()
                                    + ", which is not a file of the package before it");
                        }
                        byte[] data = fs.readFile(source, (int) EntryReader.MAX_ENTRY_BYTES);
                        files.add(write(fs, e, where, data, uid, gid, e.linkTarget()));
                        installedFiles.put(e.path(), where);
                    }
                    case SYMLINK -> files.add(symlink(fs, e, where, uid, gid));
                }
            }
        }
        return new InstalledPackage(pkg.name(), pkg.version(), pkg.architecture(), pkg.format(),
                pkg.kernelRelease().orElse(""), pkg.file(), files, warnings);
    }

    /** A name the guest knows wins; else the archive's number (deb); else root, as rpm does, with a warning. */
    private static int owner(String name, int number, OptionalInt byName, String kind, PackageEntry e, List<String> warnings,
                             KernelPackage pkg) {
        if (byName.isPresent()) {
            return byName.getAsInt();
        }
        if (number >= 0) {
            return number;
        }
        String warning = pkg.file() + ": " + kind + " " + name + " is not in the guest; root used for its files (first: "
                + e.path() + ")";
        if (!name.isEmpty() && !name.equals("root")
                && warnings.stream().noneMatch(w -> w.startsWith(pkg.file() + ": " + kind + " " + name + " "))) {
            warnings.add(warning);
        }
        return 0;
    }

    private static void makeParents(GuestFileSystem fs, String where, List<InstalledFile> files) throws IOException {
        String parent = where.substring(0, where.lastIndexOf('/'));
        if (parent.isEmpty() || fs.stat(parent).isPresent()) {
            return;
        }
        makeParents(fs, parent, files);
        fs.mkdir(parent, 0755, 0, 0);
        files.add(new InstalledFile(parent, parent, EntryType.DIRECTORY, InstalledFile.Action.CREATED_PARENT, 0, 0755, 0, 0, ""));
    }

    private static InstalledFile directory(GuestFileSystem fs, PackageEntry e, String where, int uid, int gid,
                                           List<InstalledFile> files) throws IOException {
        // A symlink where the package has a directory (usrmerge's /lib) is kept and followed, by
        // GuestPaths rather than by stat: its target may lie on another filesystem of the guest.
        String target = GuestPaths.resolve(fs, where);
        Optional<FileInfo> st = fs.lstat(target);
        if (st.isPresent()) {
            if (st.get().type() != FileType.DIRECTORY) {
                throw new FileSystemException(fs.describe() + ": " + target + " is a " + st.get().type()
                        + " in the guest, but package directory " + e.path() + " must go there");
            }
            FileInfo i = st.get();
            return new InstalledFile(e.path(), target, EntryType.DIRECTORY, InstalledFile.Action.KEPT_DIRECTORY, 0, i.mode(),
                    i.uid(), i.gid(), "");
        }
        if (!target.equals(where)) {
            makeParents(fs, target, files); // a dangling link: its target is made, the link kept
        }
        fs.mkdir(target, e.mode(), uid, gid);
        return new InstalledFile(e.path(), target, EntryType.DIRECTORY, InstalledFile.Action.CREATED, 0, e.mode(), uid, gid, "");
    }

    /** Removes a file or symlink in the way; refuses a directory. True when something was removed. */
    private static boolean clear(GuestFileSystem fs, PackageEntry e, String where) throws IOException {
        Optional<FileInfo> st = fs.lstat(where);
        if (st.isEmpty()) {
            return false;
        }
        if (st.get().type() == FileType.DIRECTORY) {
            throw new FileSystemException(fs.describe() + ": " + where + " is a directory in the guest, but package entry "
                    + e.path() + " is a " + e.type().name().toLowerCase(java.util.Locale.ROOT));
        }
        fs.delete(where);
        return true;
    }

    private static InstalledFile write(GuestFileSystem fs, PackageEntry e, String where, byte[] data, int uid, int gid,
                                       String link) throws IOException {
        boolean replaced = clear(fs, e, where);
        fs.writeFile(where, data, e.mode(), uid, gid);
        return new InstalledFile(e.path(), where, e.type(), replaced ? InstalledFile.Action.REPLACED : InstalledFile.Action.CREATED,
                data.length, e.mode(), uid, gid, link);
    }

    private static InstalledFile symlink(GuestFileSystem fs, PackageEntry e, String where, int uid, int gid) throws IOException {
        boolean replaced = clear(fs, e, where);
        fs.symlink(where, e.linkTarget());
        // GuestFileSystem creates symlinks as root:root with mode 0777, which is what the kernel reports for any link.
        return new InstalledFile(e.path(), where, EntryType.SYMLINK, replaced ? InstalledFile.Action.REPLACED
                : InstalledFile.Action.CREATED, 0, 0777, 0, 0, e.linkTarget());
    }
}
