/**
 * ext2, ext3 and ext4 in pure Java, read and write, on any {@link org.xen2kvm.disk.BlockDevice}.
 *
 * <p>{@link org.xen2kvm.fs.ext.ExtFileSystem} is the entry point. Layout facts come from the
 * kernel's Documentation/filesystems/ext4: superblock and group descriptors
 * ({@code Superblock}, {@code GroupDescriptors}), inodes ({@code Inode}), block maps and extent
 * trees ({@code BlockMap}, {@code ExtentTree}), linear and hashed directories
 * ({@code DirectoryBlock}), inline data ({@code InlineData}), metadata checksums
 * ({@code Crc32c}, {@code Crc16}) and the jbd2 journal ({@code JournalReplay}).
 *
 * <p>Writing keeps bitmaps, group descriptor and superblock counters, uninit_bg flags and every
 * checksum consistent so that {@code e2fsck -fn} finds nothing to fix. Hashed (htree)
 * directories are not re-indexed: inserting into one turns it back into a linear directory.
 * Inline-data files and directories, encryption, casefolding, bigalloc, quota and other
 * features that the writer cannot keep consistent are refused by name.
 */
package org.xen2kvm.fs.ext;
