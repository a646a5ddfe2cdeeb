/**
 * ext2, ext3 and ext4 in pure Java, read and write, on any {@link org.xen2kvm.image.BlockDevice}.
 *
 * <p>{@link org.xen2kvm.fs.ext.ExtFileSystem} is the entry point. Layout facts come from the
 * kernel's Documentation/filesystems/ext4: superblock and group descriptors
 * ({@code Superblock}, {@code GroupDescriptors}), inodes ({@code Inode}), block maps and extent
 * trees ({@code BlockMap}, {@code ExtentTree}), linear and hashed directories
 * ({@code DirectoryBlock}, {@code Directories}, {@code DirHash}), inline data ({@code InlineData}), metadata checksums
 * ({@code Crc32c}, {@code Crc16}) and the jbd2 journal ({@code JournalReplay}).
 *
 * <p>Writing keeps bitmaps, group descriptor and superblock counters, uninit_bg flags and every
 * checksum consistent so that {@code e2fsck -fn} finds nothing to fix. In hashed (htree)
 * directories a new name goes into the leaf its hash selects ({@code DirHash}); leaves are
 * never split: when that leaf is full the index is dropped and the directory stays linear,
 * which the kernel and e2fsck accept. A journal that needs recovery is replayed, into the
 * device when writable or into an in-memory overlay when read-only. Inline-data files and
 * directories, encryption, casefolding, bigalloc, quota and other features that the writer
 * cannot keep consistent are refused by name.
 */
package org.xen2kvm.fs.ext;
