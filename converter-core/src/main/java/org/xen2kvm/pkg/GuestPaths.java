package org.xen2kvm.pkg;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.fs.FileInfo;
import org.xen2kvm.fs.FileSystemException;
import org.xen2kvm.fs.FileType;
import org.xen2kvm.fs.GuestFileSystem;

/**
 * Resolves the directories above a package path through the guest's own symlinks, the way
 * the kernel would inside the guest. On a usrmerge guest {@code /lib -> usr/lib}, so
 * {@code /lib/modules/REL/x.ko} lands at {@code /usr/lib/modules/REL/x.ko}. The filesystem
 * layer follows intermediate links itself, but a guest seen through several mounts
 * ({@code guest.MountedGuest}) routes by the textual path before any link is followed, so
 * the installer hands it paths with no links left in them.
 */
final class GuestPaths {
    /** Like the kernel's limit on links followed in one lookup. */
    static final int MAX_HOPS = 40;

    private GuestPaths() {
    }

    /** {@code path} with every symlink in its parent directories replaced by what it points to; the last name is kept. */
    static String resolveParent(GuestFileSystem fs, String path) throws IOException {
        int slash = path.lastIndexOf('/');
        String parent = path.substring(0, slash);
        String name = path.substring(slash + 1);
        if (name.isEmpty()) {
            return "/";
        }
        String dir = resolve(fs, parent.isEmpty() ? "/" : parent);
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /** {@code path} with every symlink along it (the last component too) resolved; missing parts are kept as named. */
    static String resolve(GuestFileSystem fs, String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components(path));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            String here = "/" + String.join("/", done) + (done.isEmpty() ? "" : "/") + c;
            Optional<FileInfo> st = fs.lstat(here);
            if (st.isPresent() && st.get().type() == FileType.SYMLINK) {
                if (++hops > MAX_HOPS) {
                    throw new FileSystemException(fs.describe() + ": too many levels of symbolic links resolving " + path);
                }
                String target = fs.readlink(here);
                List<String> t = components(target);
                for (int i = t.size() - 1; i >= 0; i--) {
                    todo.addFirst(t.get(i));
                }
                if (target.startsWith("/")) {
                    done.clear();
                }
                continue;
            }
            done.add(c);
        }
        return "/" + String.join("/", done);
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                out.add(c);
            }
        }
        return out;
    }
}
