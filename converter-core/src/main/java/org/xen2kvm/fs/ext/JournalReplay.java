package org.xen2kvm.fs.ext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.fs.FileSystemException;

/**
 * Replays the committed transactions of an internal jbd2 journal
 * (Documentation/filesystems/ext4/journal.rst). All jbd2 fields are big-endian. The result is
 * a plan: for each filesystem block, the journal block holding its newest committed copy,
 * minus revoked ones. The plan is either written to the device or served as an overlay.
 */
final class JournalReplay {
    static final int MAGIC = 0xC03B3998;
    static final int H_MAGIC = 0x0;
    static final int H_BLOCKTYPE = 0x4;
    static final int H_SEQUENCE = 0x8;
    static final int HEADER_SIZE = 12;
    static final int TYPE_DESCRIPTOR = 1;
    static final int TYPE_COMMIT = 2;
    static final int TYPE_SB_V1 = 3;
    static final int TYPE_SB_V2 = 4;
    static final int TYPE_REVOKE = 5;
    // journal superblock
    static final int S_BLOCKSIZE = 0xC;
    static final int S_MAXLEN = 0x10;
    static final int S_FIRST = 0x14;
    static final int S_SEQUENCE = 0x18;
    static final int S_START = 0x1C;
    static final int S_FEATURE_INCOMPAT = 0x28;
    static final int S_CHECKSUM = 0xFC;
    static final int SB_SIZE = 1024;
    // journal incompat features
    static final int J_REVOKE = 0x1;
    static final int J_64BIT = 0x2;
    static final int J_ASYNC_COMMIT = 0x4;
    static final int J_CSUM_V2 = 0x8;
    static final int J_CSUM_V3 = 0x10;
    static final int J_FAST_COMMIT = 0x20;
    static final int J_KNOWN = J_REVOKE | J_64BIT | J_ASYNC_COMMIT | J_CSUM_V2 | J_CSUM_V3;
    // tag flags
    static final int FLAG_ESCAPE = 1;
    static final int FLAG_SAME_UUID = 2;
    static final int FLAG_LAST_TAG = 8;
    static final int UUID_SIZE = 16;
    static final int TAIL_SIZE = 4;
    /** s_journal_inum in the ext superblock. */
    static final int SB_JOURNAL_INUM = 0xE0;

    /** Newest copy of one filesystem block: where it sits in the journal and whether its magic was escaped. */
    record Copy(long journalPhysical, boolean escaped) {
    }

    /** What replay will do, and how to mark the journal clean afterwards. */
    record Plan(Map<Long, Copy> blocks, long journalSuperblock, byte[] journalSb, long nextSequence) {
    }

    private JournalReplay() {
    }

    static int be32(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static void putBe32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static FileSystemException bad(ExtVolume vol, String what) {
        return new FileSystemException(vol.where() + ": journal " + what + "; cannot replay it, run e2fsck -fy on a copy");
    }

    static Plan plan(ExtVolume vol, FileLayout journal) throws IOException {
        long jsbBlock = journal.physicalOf(0);
        if (jsbBlock < 0) {
            throw bad(vol, "inode has no block 0 (superblock)");
        }
        byte[] jsb = vol.readBlock(jsbBlock, "journal superblock");
        int type = be32(jsb, H_BLOCKTYPE);
        if (be32(jsb, H_MAGIC) != MAGIC || (type != TYPE_SB_V1 && type != TYPE_SB_V2)) {
            throw bad(vol, "superblock at block " + jsbBlock + " has bad magic or type " + type);
        }
        if (be32(jsb, S_BLOCKSIZE) != vol.bs) {
            throw bad(vol, "superblock field s_blocksize is " + be32(jsb, S_BLOCKSIZE) + ", not the filesystem block size " + vol.bs);
        }
        int incompat = type == TYPE_SB_V2 ? be32(jsb, S_FEATURE_INCOMPAT) : 0;
        if ((incompat & ~J_KNOWN) != 0) {
            throw bad(vol, "superblock has unsupported incompatible features 0x" + Integer.toHexString(incompat & ~J_KNOWN)
                    + ((incompat & J_FAST_COMMIT) != 0 ? " (fast_commit)" : ""));
        }
        long maxlen = be32(jsb, S_MAXLEN) & 0xFFFFFFFFL;
        long first = be32(jsb, S_FIRST) & 0xFFFFFFFFL;
        long start = be32(jsb, S_START) & 0xFFFFFFFFL;
        int seq = be32(jsb, S_SEQUENCE);
        if (maxlen > journal.dataBlocks() || first < 1 || first >= maxlen || (start != 0 && (start < first || start >= maxlen))) {
            throw bad(vol, "superblock geometry s_first " + first + " s_start " + start + " s_maxlen " + maxlen
                    + " does not fit the journal inode of " + journal.dataBlocks() + " blocks");
        }
        Map<Long, Copy> result = new LinkedHashMap<>();
        if (start == 0) {
            return new Plan(result, jsbBlock, jsb, seq);
        }
        boolean csum3 = (incompat & J_CSUM_V3) != 0;
        boolean csum = csum3 || (incompat & J_CSUM_V2) != 0;
        boolean is64 = (incompat & J_64BIT) != 0;
        int tagBytes = csum3 ? 16 : 8 + (is64 ? 4 : 0) + ((incompat & J_CSUM_V2) != 0 ? 2 : 0);
        int usable = vol.bs - (csum ? TAIL_SIZE : 0);

        List<List<long[]>> committedTags = new ArrayList<>();
        List<Integer> committedSeqs = new ArrayList<>();
        Map<Long, Integer> revoked = new HashMap<>();
        List<long[]> tags = new ArrayList<>();
        List<Long> revokes = new ArrayList<>();
        long pos = start;
        for (long steps = 0; steps < maxlen; steps++) {
            byte[] b = readJournal(vol, journal, pos);
            if (be32(b, H_MAGIC) != MAGIC || be32(b, H_SEQUENCE) != seq) {
                break;
            }
            int bt = be32(b, H_BLOCKTYPE);
            if (bt == TYPE_DESCRIPTOR) {
                int off = HEADER_SIZE;
                while (off + tagBytes <= usable) {
                    long block = be32(b, off) & 0xFFFFFFFFL;
                    int flags = csum3 ? be32(b, off + 4) : ((b[off + 6] & 0xFF) << 8 | (b[off + 7] & 0xFF));
                    if (is64) {
                        block |= (be32(b, off + 8) & 0xFFFFFFFFL) << 32;
                    }
                    off += tagBytes + ((flags & FLAG_SAME_UUID) == 0 ? UUID_SIZE : 0);
                    pos = next(pos, first, maxlen);
                    steps++;
                    if (block < 0 || block >= vol.sb.blocksCount) {
                        throw bad(vol, "transaction " + seq + " logs filesystem block " + block + ", outside the filesystem");
                    }
                    tags.add(new long[] {block, physical(vol, journal, pos), (flags & FLAG_ESCAPE) != 0 ? 1 : 0});
                    if ((flags & FLAG_LAST_TAG) != 0) {
                        break;
                    }
                }
            } else if (bt == TYPE_REVOKE) {
                int count = be32(b, HEADER_SIZE);
                if (count < HEADER_SIZE + 4 || count > usable) {
                    throw bad(vol, "revoke block at journal block " + pos + " has r_count " + count);
                }
                int width = is64 ? 8 : 4;
                for (int off = HEADER_SIZE + 4; off + width <= count; off += width) {
                    long block = is64 ? (be32(b, off) & 0xFFFFFFFFL) << 32 | (be32(b, off + 4) & 0xFFFFFFFFL) : be32(b, off) & 0xFFFFFFFFL;
                    revokes.add(block);
                }
            } else if (bt == TYPE_COMMIT) {
                committedTags.add(tags);
                committedSeqs.add(seq);
                for (long r : revokes) {
                    revoked.merge(r, seq, (a, c) -> Integer.compareUnsigned(a, c) >= 0 ? a : c);
                }
                tags = new ArrayList<>();
                revokes = new ArrayList<>();
                seq++;
            } else {
                throw bad(vol, "block " + pos + " of transaction " + seq + " has unknown type " + bt);
            }
            pos = next(pos, first, maxlen);
        }
        for (int t = 0; t < committedTags.size(); t++) {
            int tseq = committedSeqs.get(t);
            for (long[] tag : committedTags.get(t)) {
                Integer r = revoked.get(tag[0]);
                if (r != null && (tseq - r) <= 0) {
                    continue; // revoked by this or a later transaction
                }
                result.put(tag[0], new Copy(tag[1], tag[2] != 0));
            }
        }
        return new Plan(result, jsbBlock, jsb, seq);
    }

    private static long next(long pos, long first, long maxlen) {
        return pos + 1 >= maxlen ? first : pos + 1;
    }

    private static long physical(ExtVolume vol, FileLayout journal, long logical) throws FileSystemException {
        long p = journal.physicalOf(logical);
        if (p < 0) {
            throw bad(vol, "inode has a hole at block " + logical);
        }
        return p;
    }

    private static byte[] readJournal(ExtVolume vol, FileLayout journal, long logical) throws IOException {
        return vol.readBlock(physical(vol, journal, logical), "journal block " + logical);
    }

    /** The journaled content of one filesystem block, with an escaped magic number restored. */
    static byte[] content(ExtVolume vol, Copy copy) throws IOException {
        byte[] b = vol.readBlock(copy.journalPhysical(), "journal data block");
        if (copy.escaped()) {
            putBe32(b, 0, MAGIC);
        }
        return b;
    }

    /** Writes every planned block home and marks the journal empty. */
    static void apply(ExtVolume vol, Plan plan) throws IOException {
        for (Map.Entry<Long, Copy> e : plan.blocks().entrySet()) {
            vol.dev.write(e.getKey() * vol.bs, ByteBuffer.wrap(content(vol, e.getValue())));
        }
        vol.dev.flush();
        byte[] jsb = plan.journalSb().clone();
        putBe32(jsb, S_START, 0);
        putBe32(jsb, S_SEQUENCE, (int) plan.nextSequence());
        int incompat = be32(jsb, H_BLOCKTYPE) == TYPE_SB_V2 ? be32(jsb, S_FEATURE_INCOMPAT) : 0;
        if ((incompat & (J_CSUM_V2 | J_CSUM_V3)) != 0) {
            putBe32(jsb, S_CHECKSUM, 0);
            putBe32(jsb, S_CHECKSUM, Crc32c.update(~0, jsb, 0, SB_SIZE));
        }
        vol.dev.write(plan.journalSuperblock() * vol.bs, ByteBuffer.wrap(jsb));
        vol.dev.flush();
    }
}
