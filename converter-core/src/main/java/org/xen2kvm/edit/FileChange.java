package org.xen2kvm.edit;

/**
 * One guest path before and after the edits.
 */
public record FileChange(String path, FileState before, FileState after) {

    /**
     * What a path held: nothing, a regular file's text, a binary file (its size, and a digest of
     * its bytes as content, so that two states compare equal only when the bytes are), a
     * symlink's target, or a directory.
     */
    public record FileState(Kind kind, String content, long size) {
        public enum Kind { ABSENT, FILE, BINARY, SYMLINK, DIRECTORY }

        public static final FileState ABSENT = new FileState(Kind.ABSENT, null, 0);
        public static final FileState DIRECTORY = new FileState(Kind.DIRECTORY, null, 0);

        public FileState(Kind kind, String content) {
            this(kind, content, content == null ? 0 : content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }

        public static FileState file(String text) {
            return new FileState(Kind.FILE, text);
        }

        /** A file not shown as text; {@code digest} tells changed bytes from unchanged ones. */
        public static FileState binary(long size, String digest) {
            return new FileState(Kind.BINARY, digest, size);
        }

        public static FileState symlink(String target) {
            return new FileState(Kind.SYMLINK, target);
        }
    }
}
