/**
 * The file-level view of a guest filesystem that inspection and guest edits work on,
 * independent of the on-disk format (ext2/3/4 today).
 */
package org.xen2kvm.fs;
