package org.xen2kvm.kmod;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Writes kmod's binary index (modules.dep.bin, modules.alias.bin, ...): a radix trie of keys,
 * each key with values ordered by priority, in kmod's index format version 2.1 (libkmod-index.c):
 * <pre>
 *   u32 magic 0xB007F457, u32 version 0x00020001, u32 root node offset      (big-endian)
 *   node:  [prefix chars, NUL]                       if offset flag PREFIX
 *          [u8 first, u8 last, (last-first+1) x u32 child offsets]  if flag CHILDS
 *          [u32 count, count x (u32 priority, value chars, NUL)]    if flag VALUES
 * </pre>
 * A node offset carries its flags in its top bits. The root has an empty prefix and a child per
 * first character; every other node's prefix is what its keys share after the child character,
 * so the trie is the same whatever the insertion order. Nodes are written children first, in
 * character order, as depmod writes them, so for the same keys and values the file is
 * byte-for-byte depmod's.
 */
final class ModuleIndexWriter {
    /** "BOOTFAST", the magic of kmod's index files. */
    static final int INDEX_MAGIC = 0xB007F457;
    static final int INDEX_VERSION_MAJOR = 0x0002;
    static final int INDEX_VERSION_MINOR = 0x0001;
    static final int INDEX_VERSION = (INDEX_VERSION_MAJOR << 16) | INDEX_VERSION_MINOR;
    static final int INDEX_NODE_PREFIX = 0x80000000;
    static final int INDEX_NODE_VALUES = 0x40000000;
    static final int INDEX_NODE_CHILDS = 0x20000000;
    static final int INDEX_NODE_MASK = 0x0FFFFFFF;
    /** Keys and values are 7-bit ASCII; a node has at most this many children. */
    static final int INDEX_CHILDMAX = 128;
    /** depmod builds keys in PATH_MAX buffers. */
    static final int MAX_KEY_LENGTH = 4095;

    private record Value(String value, int priority) {
    }

    private final String fileName;
    private final TreeMap<String, List<Value>> entries = new TreeMap<>();

    /** @param fileName the index's name, for messages */
    ModuleIndexWriter(String fileName) {
        this.fileName = fileName;
    }

    /**
     * Adds a value under a key. Values of one key are kept by ascending priority, a new value
     * going before those of equal priority (depmod's order).
     *
     * @throws ModuleFormatException for a key or value that is not 7-bit ASCII or too long
     */
    void insert(String key, String value, int priority, String from) throws ModuleFormatException {
        check(key, from);
        check(value, from);
        List<Value> values = entries.computeIfAbsent(key, k -> new ArrayList<>());
        int at = 0;
        while (at < values.size() && Integer.compareUnsigned(values.get(at).priority(), priority) < 0) {
            at++;
        }
        values.add(at, new Value(value, priority));
    }

    private void check(String s, String from) throws ModuleFormatException {
        if (s.length() > MAX_KEY_LENGTH) {
            throw new ModuleFormatException(from + ": a string of " + s.length() + " characters for " + fileName
                    + " (longest " + MAX_KEY_LENGTH + ")");
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= INDEX_CHILDMAX || s.charAt(i) == 0) {
                throw new ModuleFormatException(from + ": '" + s.substring(0, Math.min(s.length(), 80)).replaceAll("[^ -~]", "?")
                        + "' has a character outside 7-bit ASCII at " + i + "; kmod's " + fileName + " cannot hold it");
            }
        }
    }

    /** The index file. */
    byte[] toBytes() throws ModuleFormatException {
        Out out = new Out();
        out.u32(INDEX_MAGIC);
        out.u32(INDEX_VERSION);
        out.u32(0);
        List<String> keys = new ArrayList<>(entries.keySet());
        int root = writeNode(out, keys, 0, keys.size(), 0, true);
        byte[] b = out.toByteArray();
        b[8] = (byte) (root >>> 24);
        b[9] = (byte) (root >>> 16);
        b[10] = (byte) (root >>> 8);
        b[11] = (byte) root;
        return b;
    }

    /**
     * Writes the node for keys[from, to), which all share their first {@code depth} characters,
     * after its children; returns its offset with flags.
     */
    private int writeNode(Out out, List<String> keys, int from, int to, int depth, boolean root) throws ModuleFormatException {
        int prefixEnd = depth;
        if (!root && from < to) {
            String first = keys.get(from);
            String last = keys.get(to - 1);
            // Sorted keys: the common prefix of the range is that of its first and last key.
            while (prefixEnd < first.length() && prefixEnd < last.length() && first.charAt(prefixEnd) == last.charAt(prefixEnd)) {
                prefixEnd++;
            }
        }
        int i = from;
        List<Value> values = null;
        if (i < to && keys.get(i).length() == prefixEnd) {
            values = entries.get(keys.get(i));
            i++;
        }
        int[] childOffsets = null;
        int firstChar = 0;
        if (i < to) {
            firstChar = keys.get(i).charAt(prefixEnd);
            int lastChar = keys.get(to - 1).charAt(prefixEnd);
            childOffsets = new int[lastChar - firstChar + 1];
            while (i < to) {
                char c = keys.get(i).charAt(prefixEnd);
                int j = i;
                while (j < to && keys.get(j).charAt(prefixEnd) == c) {
                    j++;
                }
                childOffsets[c - firstChar] = writeNode(out, keys, i, j, prefixEnd + 1, false);
                i = j;
            }
        }
        int offset = out.size();
        if (offset > INDEX_NODE_MASK) {
            throw new ModuleFormatException(fileName + ": index larger than kmod's 256 MiB limit");
        }
        String prefix = root || from >= to ? "" : keys.get(from).substring(depth, prefixEnd);
        if (!prefix.isEmpty()) {
            out.string(prefix);
            offset |= INDEX_NODE_PREFIX;
        }
        if (childOffsets != null) {
            out.write(firstChar);
            out.write(firstChar + childOffsets.length - 1);
            for (int c : childOffsets) {
                out.u32(c);
            }
            offset |= INDEX_NODE_CHILDS;
        }
        if (values != null) {
            out.u32(values.size());
            for (Value v : values) {
                out.u32(v.priority());
                out.string(v.value());
            }
            offset |= INDEX_NODE_VALUES;
        }
        return offset;
    }

    private static final class Out extends ByteArrayOutputStream {
        Out() {
            super(1 << 16);
        }

        void u32(int v) {
            write(v >>> 24);
            write(v >>> 16);
            write(v >>> 8);
            write(v);
        }

        void string(String s) {
            writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            write(0);
        }
    }
}
