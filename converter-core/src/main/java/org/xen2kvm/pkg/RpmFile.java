package org.xen2kvm.pkg;

/**
 * One file as the RPM header lists it.
 *
 * @param mode   full Unix mode including the type bits (FILEMODES)
 * @param linkTo symlink target (FILELINKTOS), empty for other types
 * @param flags  FILEFLAGS ({@link RpmFormat#FILE_GHOST} ...)
 */
public record RpmFile(String path, int mode, long size, String user, String group, String linkTo, long mtime, int flags) {
}
