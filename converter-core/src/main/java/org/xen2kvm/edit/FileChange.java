package org.xen2kvm.edit;

/**
 * One guest path before and after the edits.
 */
public record FileChange(String path, FileState before, FileState after) {

    /** What a path held: nothing, a regular file's text, a symlink's target, or a directory. */
    public record FileState(Kind kind, String content) {
        public enum Kind { ABSENT, FILE, SYMLINK, DIRECTORY }

        public static final FileState ABSENT = new FileState(Kind.ABSENT, null);
        public static final FileState DIRECTORY = new FileState(Kind.DIRECTORY, null);

        public static FileState file(String text) {
            return new FileState(Kind.FILE, text);
        }

        public static FileState symlink(String target) {
            return new FileState(Kind.SYMLINK, target);
        }
    }
}
