package org.xen2kvm.initramfs;

/** Path spellings inside an archive: "./etc/x", "/etc/x" and "etc/x" are the same file to the kernel. */
final class InitramfsPaths {
    private InitramfsPaths() {
    }

    static String normalize(String name) {
        String p = name;
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p.equals(".") ? "" : p;
    }

    /** The parent directory ("" for a top-level name). */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
