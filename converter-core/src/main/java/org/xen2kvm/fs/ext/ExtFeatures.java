package org.xen2kvm.fs.ext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Feature flags of the superblock (kernel Documentation/filesystems/ext4/super.rst,
 * s_feature_compat / s_feature_incompat / s_feature_ro_compat) and which of them this
 * implementation can read and write.
 */
final class ExtFeatures {
    // compat
    static final int COMPAT_HAS_JOURNAL = 0x4;
    static final int COMPAT_DIR_INDEX = 0x20;
    static final int COMPAT_SPARSE_SUPER2 = 0x200;
    // incompat
    static final int INCOMPAT_COMPRESSION = 0x1;
    static final int INCOMPAT_FILETYPE = 0x2;
    static final int INCOMPAT_RECOVER = 0x4;
    static final int INCOMPAT_JOURNAL_DEV = 0x8;
    static final int INCOMPAT_META_BG = 0x10;
    static final int INCOMPAT_EXTENTS = 0x40;
    static final int INCOMPAT_64BIT = 0x80;
    static final int INCOMPAT_MMP = 0x100;
    static final int INCOMPAT_FLEX_BG = 0x200;
    static final int INCOMPAT_EA_INODE = 0x400;
    static final int INCOMPAT_DIRDATA = 0x1000;
    static final int INCOMPAT_CSUM_SEED = 0x2000;
    static final int INCOMPAT_LARGEDIR = 0x4000;
    static final int INCOMPAT_INLINE_DATA = 0x8000;
    static final int INCOMPAT_ENCRYPT = 0x10000;
    static final int INCOMPAT_CASEFOLD = 0x20000;
    // ro_compat
    static final int RO_SPARSE_SUPER = 0x1;
    static final int RO_LARGE_FILE = 0x2;
    static final int RO_BTREE_DIR = 0x4;
    static final int RO_HUGE_FILE = 0x8;
    static final int RO_GDT_CSUM = 0x10;
    static final int RO_DIR_NLINK = 0x20;
    static final int RO_EXTRA_ISIZE = 0x40;
    static final int RO_HAS_SNAPSHOT = 0x80;
    static final int RO_QUOTA = 0x100;
    static final int RO_BIGALLOC = 0x200;
    static final int RO_METADATA_CSUM = 0x400;
    static final int RO_REPLICA = 0x800;
    static final int RO_READONLY = 0x1000;
    static final int RO_PROJECT = 0x2000;
    static final int RO_SHARED_BLOCKS = 0x4000;
    static final int RO_VERITY = 0x8000;
    static final int RO_ORPHAN_PRESENT = 0x10000;

    static final Map<Integer, String> COMPAT_NAMES = names(
            0x1, "dir_prealloc", 0x2, "imagic_inodes", 0x4, "has_journal", 0x8, "ext_attr",
            0x10, "resize_inode", 0x20, "dir_index", 0x40, "lazy_bg", 0x80, "exclude_inode",
            0x100, "exclude_bitmap", 0x200, "sparse_super2", 0x400, "fast_commit",
            0x800, "stable_inodes", 0x1000, "orphan_file");
    static final Map<Integer, String> INCOMPAT_NAMES = names(
            0x1, "compression", 0x2, "filetype", 0x4, "needs_recovery", 0x8, "journal_dev",
            0x10, "meta_bg", 0x40, "extent", 0x80, "64bit", 0x100, "mmp", 0x200, "flex_bg",
            0x400, "ea_inode", 0x1000, "dirdata", 0x2000, "metadata_csum_seed",
            0x4000, "large_dir", 0x8000, "inline_data", 0x10000, "encrypt", 0x20000, "casefold");
    static final Map<Integer, String> RO_COMPAT_NAMES = names(
            0x1, "sparse_super", 0x2, "large_file", 0x4, "btree_dir", 0x8, "huge_file",
            0x10, "uninit_bg", 0x20, "dir_nlink", 0x40, "extra_isize", 0x80, "snapshot",
            0x100, "quota", 0x200, "bigalloc", 0x400, "metadata_csum", 0x800, "replica",
            0x1000, "read-only", 0x2000, "project", 0x4000, "shared_blocks", 0x8000, "verity",
            0x10000, "orphan_present");

    /** Incompatible features whose on-disk format this reader understands. */
    static final int INCOMPAT_READABLE = INCOMPAT_FILETYPE | INCOMPAT_META_BG | INCOMPAT_EXTENTS
            | INCOMPAT_64BIT | INCOMPAT_MMP | INCOMPAT_FLEX_BG | INCOMPAT_EA_INODE | INCOMPAT_CSUM_SEED
            | INCOMPAT_LARGEDIR | INCOMPAT_INLINE_DATA | INCOMPAT_RECOVER;
    /** Incompatible features the writer keeps consistent. */
    static final int INCOMPAT_WRITABLE = INCOMPAT_FILETYPE | INCOMPAT_META_BG | INCOMPAT_EXTENTS
            | INCOMPAT_64BIT | INCOMPAT_FLEX_BG | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR | INCOMPAT_INLINE_DATA;
    /** Read-only-compatible features the writer keeps consistent. */
    static final int RO_COMPAT_WRITABLE = RO_SPARSE_SUPER | RO_LARGE_FILE | RO_BTREE_DIR | RO_HUGE_FILE
            | RO_GDT_CSUM | RO_DIR_NLINK | RO_EXTRA_ISIZE | RO_METADATA_CSUM | RO_PROJECT;

    private ExtFeatures() {
    }

    private static Map<Integer, String> names(Object... pairs) {
        Map<Integer, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Integer) pairs[i], (String) pairs[i + 1]);
        }
        return m;
    }

    /** Names of the set bits; unknown bits appear as {@code prefix_0xBIT}. */
    static List<String> describe(Map<Integer, String> table, String prefix, long bits) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 32; bit++) {
            int mask = 1 << bit;
            if ((bits & mask) != 0) {
                out.add(table.getOrDefault(mask, prefix + "_0x" + Integer.toHexString(mask)));
            }
        }
        return out;
    }
}
