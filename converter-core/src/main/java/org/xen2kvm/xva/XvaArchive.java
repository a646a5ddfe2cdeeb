package org.xen2kvm.xva;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.zstd.ZstdInputStream;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.write.AtomicOutput;
import org.xen2kvm.image.ProgressListener;
import org.xen2kvm.image.write.ProgressThrottle;

/**
 * An XVA archive ({@code xe vm-export}): a tar stream whose first entry is {@code ova.xml},
 * followed for each disk by chunk entries {@code Ref:N/00000000}, {@code Ref:N/00000001}, ...
 * of 1 MiB, each followed by its {@code .checksum} (SHA-1) or {@code .xxhash} (xxHash64)
 * entry; chunks that are all zero are left out. The tar may be gzip- or zstd-compressed.
 *
 * <p>An uncompressed archive is indexed on {@link #open} (headers only, data is seeked over)
 * and each disk is a random-access {@link #disk BlockDevice}. A compressed one cannot be
 * read at random: {@link #extractDisk} streams through it once into a sparse raw file.
 * Every chunk is verified against its checksum before its data is used.
 */
public final class XvaArchive implements Closeable {
    /** Every chunk covers 1 MiB of the disk (xapi's export block size). */
    public static final int CHUNK_SIZE = 1 << 20;
    /** The ova.xml entry's name. */
    public static final String OVA_XML = "ova.xml";
    /** ova.xml describes one VM; anything this large is hostile. */
    static final int MAX_OVA_XML = 64 << 20;
    /** gzip member magic (RFC 1952 section 2.3.1). */
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    /** zstd frame magic 0xFD2FB528, little-endian (RFC 8878 section 3.1.1). */
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    /** Bytes {@link #archiveCompression} looks at: the first tar header block. */
    public static final int HEAD_BYTES = TarReader.BLOCK;
    /** Zero blocks of this size inside chunks become holes in extracted files. */
    private static final int HOLE_GRANULE = 64 * 1024;

    /** How the tar stream is stored. */
    public enum Compression { NONE, GZIP, ZSTD }

    private final Path file;
    private final Compression compression;
    private final byte[] ovaXml;
    private final Map<String, Long> virtualSizes;
    /** Chunks by disk; only for uncompressed archives. */
    private final Map<String, TreeMap<Integer, ChunkRef>> chunks;

    private XvaArchive(Path file, Compression compression, byte[] ovaXml, Map<String, TreeMap<Integer, ChunkRef>> chunks)
            throws XvaFormatException {
        this.file = file;
        this.compression = compression;
        this.ovaXml = ovaXml;
        this.chunks = chunks;
        this.virtualSizes = OvaXmlDisks.virtualSizes(ovaXml, file);
    }

    /**
     * Opens and indexes an archive: reads ova.xml, and for an uncompressed archive every
     * entry header (checksum entries are read and kept, chunk data is not read).
     *
     * @throws XvaFormatException when the archive is not a well-formed XVA
     */
    public static XvaArchive open(Path xva) throws IOException {
        Compression compression = detect(xva);
        if (compression != Compression.NONE) {
            // The same path as the guest definition reader: corrupt compressed data, even a
            // gzip header cut short, ends as an XvaFormatException.
            return new XvaArchive(xva, compression, readOvaXml(xva), null);
        }
        try (FileChannel ch = FileChannel.open(xva, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            TarReader tar = new TarReader(new TarReader.ChannelSource(ch), xva);
            byte[] xml = readOvaXml(tar, xva);
            Map<String, TreeMap<Integer, ChunkRef>> index = new LinkedHashMap<>();
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                if (e.size() > fileSize - e.dataOffset()) {
                    throw new XvaFormatException(xva, e.dataOffset(), "tar entry '" + e.name() + "' of " + e.size()
                            + " bytes runs past the end of the file (" + fileSize + " bytes); the archive is truncated");
                }
                ChunkName name = ChunkName.parse(e.name()).orElse(null);
                if (name == null) {
                    continue;
                }
                TreeMap<Integer, ChunkRef> disk = index.computeIfAbsent(name.ref(), r -> new TreeMap<>());
                if (name.kind() == ChunkName.Kind.DATA) {
                    checkChunkSize(xva, e);
                    if (disk.putIfAbsent(name.index(), new ChunkRef(name, e.dataOffset(), (int) e.size())) != null) {
                        throw new XvaFormatException(xva, e.dataOffset(), "chunk " + e.name() + " appears twice");
                    }
                } else {
                    ChunkRef chunk = disk.get(name.index());
                    if (chunk == null || chunk.checksum != null) {
                        throw new XvaFormatException(xva, e.dataOffset(), "checksum entry " + e.name()
                                + " does not follow its chunk " + name.dataEntry());
                    }
                    chunk.checksum = readChecksum(tar, e, name, xva);
                }
            }
            return new XvaArchive(xva, compression, xml, index);
        }
    }

    /**
     * Reads only the ova.xml member, whatever the compression, stopping there: the one way
     * both the guest definition reader and {@link #open} get an XVA's metadata.
     *
     * @throws MissingOvaXmlException when the first regular member is not ova.xml
     * @throws XvaFormatException     when the tar or its compression is corrupt or truncated
     */
    public static byte[] readOvaXml(Path xva) throws IOException {
        Compression compression = detect(xva);
        if (compression == Compression.NONE) {
            try (FileChannel ch = FileChannel.open(xva, StandardOpenOption.READ)) {
                return readOvaXml(new TarReader(new TarReader.ChannelSource(ch), xva), xva);
            }
        }
        try (InputStream in = openStream(xva, compression)) {
            return readOvaXml(new TarReader(new TarReader.StreamSource(in), xva), xva);
        } catch (XvaFormatException e) {
            throw e;
        } catch (IOException | MalformedInputException e) {
            // Corrupt or truncated compressed data surfaces from the decompressor.
            throw new XvaFormatException(xva, 0, compression.name().toLowerCase(Locale.ROOT)
                    + " data is corrupt or truncated (" + e.getMessage() + ")");
        }
    }

    /**
     * Tells an XVA archive from its first bytes (at least {@link #HEAD_BYTES} of them, or
     * the whole file when shorter): gzip or zstd by their magic, a plain tar by the ustar
     * magic. Empty for anything else, such as a bare ova.xml.
     */
    public static Optional<Compression> archiveCompression(byte[] head) {
        if (startsWith(head, GZIP_MAGIC)) {
            return Optional.of(Compression.GZIP);
        }
        if (startsWith(head, ZSTD_MAGIC)) {
            return Optional.of(Compression.ZSTD);
        }
        return TarReader.hasUstarMagic(head) ? Optional.of(Compression.NONE) : Optional.empty();
    }

    /** How the file is compressed, from its first bytes (a tar without ustar magic is NONE too). */
    static Compression detect(Path xva) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(xva)) {
            head = in.readNBytes(HEAD_BYTES);
        }
        return archiveCompression(head).orElse(Compression.NONE);
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }

    private static InputStream openStream(Path xva, Compression c) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(xva), 1 << 16);
        try {
            return switch (c) {
                case GZIP -> new GZIPInputStream(raw, 1 << 16);
                case ZSTD -> new BufferedInputStream(new ZstdInputStream(raw), 1 << 16);
                case NONE -> raw;
            };
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static byte[] readOvaXml(TarReader tar, Path xva) throws IOException {
        TarReader.Entry first = tar.next();
        if (first == null || !first.name().equals(OVA_XML)) {
            throw new MissingOvaXmlException(xva, "first tar entry is " + (first == null ? "missing" : "'" + first.name() + "'")
                    + ", expected ova.xml; this is not an XVA export");
        }
        if (first.size() > MAX_OVA_XML) {
            throw new XvaFormatException(xva, first.dataOffset(), "ova.xml of " + first.size() + " bytes exceeds "
                    + MAX_OVA_XML + "; the archive is corrupt");
        }
        byte[] xml = new byte[(int) first.size()];
        tar.readData(xml, 0, xml.length);
        return xml;
    }

    private static void checkChunkSize(Path xva, TarReader.Entry e) throws XvaFormatException {
        if (e.size() > CHUNK_SIZE) {
            throw new XvaFormatException(xva, e.dataOffset(), "chunk " + e.name() + " holds " + e.size()
                    + " bytes, more than the " + CHUNK_SIZE + " of a chunk; the archive is corrupt");
        }
    }

    private static ChunkChecksum readChecksum(TarReader tar, TarReader.Entry e, ChunkName name, Path xva) throws IOException {
        if (e.size() > ChunkChecksum.MAX_ENTRY_SIZE) {
            throw new XvaFormatException(xva, e.dataOffset(), "checksum entry " + e.name() + " holds " + e.size()
                    + " bytes, not a hex digest");
        }
        byte[] content = new byte[(int) e.size()];
        tar.readData(content, 0, content.length);
        ChunkChecksum sum = ChunkChecksum.parse(name.kind(), content);
        if (sum == null) {
            throw new XvaFormatException(xva, e.dataOffset(), "checksum entry " + e.name() + " does not hold a "
                    + (name.kind() == ChunkName.Kind.SHA1 ? "40" : "16") + "-digit hex digest");
        }
        return sum;
    }

    public Path file() {
        return file;
    }

    public Compression compression() {
        return compression;
    }

    /** The ova.xml entry, as stored. */
    public byte[] ovaXml() {
        return ovaXml.clone();
    }

    /** The VDI's {@code virtual_size} from ova.xml. */
    public OptionalLong virtualSize(String ref) {
        Long v = virtualSizes.get(ref);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /**
     * The disks: for an uncompressed archive those with chunk entries, for a compressed one
     * the VDIs ova.xml lists (it is not indexed, so chunk counts are -1).
     */
    public List<XvaDisk> disks() {
        List<XvaDisk> out = new ArrayList<>();
        if (chunks == null) {
            virtualSizes.forEach((ref, size) -> out.add(new XvaDisk(ref, size, -1)));
        } else {
            chunks.forEach((ref, c) -> out.add(new XvaDisk(ref, virtualSizes.getOrDefault(ref, -1L), c.size())));
        }
        return out;
    }

    /**
     * A random-access view of a disk in an uncompressed archive; each chunk is checked
     * against its checksum the first time it is read.
     *
     * @throws XvaFormatException for a compressed archive (use {@link #extractDisk}), an
     *                            unknown disk, or chunks without checksums or beyond {@code virtualSize}
     */
    public BlockDevice disk(String ref, long virtualSize) throws IOException {
        if (chunks == null) {
            throw new XvaFormatException(file, 0, "archive is " + compression.name().toLowerCase() + "-compressed, so "
                    + ref + " cannot be read at random; extract it first (XvaArchive.extractDisk)");
        }
        TreeMap<Integer, ChunkRef> disk = chunks.get(ref);
        if (disk == null) {
            throw new XvaFormatException(file, 0, "archive holds no chunks for disk " + ref + "; disks present: "
                    + chunks.keySet());
        }
        for (ChunkRef c : disk.values()) {
            if (c.checksum == null) {
                throw new XvaFormatException(file, c.dataOffset, "chunk " + c.name.dataEntry()
                        + " has no .checksum or .xxhash entry after it; the archive is corrupt");
            }
            checkWithinDisk(c.name, c.dataOffset, virtualSize);
        }
        return new XvaDiskDevice(file, ref, virtualSize, disk);
    }

    private void checkWithinDisk(ChunkName name, long offset, long virtualSize) throws XvaFormatException {
        if ((long) name.index() * CHUNK_SIZE >= virtualSize) {
            throw new XvaFormatException(file, offset, "chunk " + name.dataEntry() + " starts at byte "
                    + (long) name.index() * CHUNK_SIZE + ", beyond the disk's virtual size " + virtualSize);
        }
    }

    /**
     * Streams through the archive once and writes disk {@code ref} to {@code rawOut} as a
     * sparse raw file (written as {@code rawOut.part}, renamed when complete, deleted on
     * failure). Works for every archive; the only way for compressed ones.
     *
     * @throws XvaFormatException on a checksum mismatch (naming the chunk), a chunk without
     *                            checksum, or when the archive holds no data for {@code ref}
     */
    public void extractDisk(String ref, long virtualSize, Path rawOut, ProgressListener listener) throws IOException {
        ProgressThrottle progress = new ProgressThrottle(listener, virtualSize, rawOut.getFileName().toString());
        byte[] data = new byte[CHUNK_SIZE];
        byte[] zeros = new byte[HOLE_GRANULE];
        try (InputStream in = openStream(file, compression);
             AtomicOutput out = AtomicOutput.create(rawOut, false)) {
            out.setLength(virtualSize);
            FileChannel ch = out.channel();
            TarReader tar = new TarReader(new TarReader.StreamSource(in), file);
            readOvaXml(tar, file);
            ChunkName pending = null;
            int pendingLength = 0;
            long pendingOffset = 0;
            int seen = 0;
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                ChunkName name = ChunkName.parse(e.name()).orElse(null);
                if (name == null || !name.ref().equals(ref)) {
                    continue;
                }
                if (name.kind() == ChunkName.Kind.DATA) {
                    if (pending != null) {
                        throw missingChecksum(pending, pendingOffset);
                    }
                    checkChunkSize(file, e);
                    checkWithinDisk(name, e.dataOffset(), virtualSize);
                    tar.readData(data, 0, (int) e.size());
                    pending = name;
                    pendingLength = (int) e.size();
                    pendingOffset = e.dataOffset();
                    continue;
                }
                if (pending == null || pending.index() != name.index()) {
                    throw new XvaFormatException(file, e.dataOffset(), "checksum entry " + e.name()
                            + " does not follow its chunk " + name.dataEntry());
                }
                ChunkChecksum sum = readChecksum(tar, e, name, file);
                verify(sum, data, pendingLength, pending, pendingOffset);
                long base = (long) pending.index() * CHUNK_SIZE;
                int usable = (int) Math.min(pendingLength, virtualSize - base);
                for (int p = 0; p < usable; p += HOLE_GRANULE) {
                    int n = Math.min(HOLE_GRANULE, usable - p);
                    if (Arrays.mismatch(data, p, p + n, zeros, 0, n) >= 0) {
                        ByteBuffer b = ByteBuffer.wrap(data, p, n);
                        long pos = base + p;
                        while (b.hasRemaining()) {
                            pos += ch.write(b, pos);
                        }
                    }
                }
                seen++;
                pending = null;
                progress.update(base + usable);
            }
            if (pending != null) {
                throw missingChecksum(pending, pendingOffset);
            }
            if (seen == 0) {
                throw new XvaFormatException(file, 0, "archive holds no chunks for disk " + ref);
            }
            out.commit();
        }
        progress.finish();
    }

    private XvaFormatException missingChecksum(ChunkName chunk, long offset) {
        return new XvaFormatException(file, offset, "chunk " + chunk.dataEntry()
                + " has no .checksum or .xxhash entry after it; the archive is corrupt");
    }

    /**
     * Disk {@code ref} as a read-only device whatever the archive's compression: random
     * access for a plain tar, else unpacked once (checksums verified) into a sparse file in
     * {@code scratchDir} that is deleted when the device is closed.
     */
    public BlockDevice openDisk(String ref, Path scratchDir, ProgressListener listener) throws IOException {
        long size = virtualSize(ref).orElseThrow(() -> new XvaFormatException(file, 0,
                "ova.xml gives no virtual_size for disk " + ref));
        if (compression == Compression.NONE) {
            return disk(ref, size);
        }
        java.nio.file.Files.createDirectories(scratchDir);
        Path raw = scratchDir.resolve("." + file.getFileName() + "-" + ref.replace(':', '_') + ".unpacked.raw");
        extractDisk(ref, size, raw, listener);
        return new UnpackedDisk(org.xen2kvm.image.RawFileDevice.openReadOnly(raw), raw);
    }

    /**
     * The checksum kinds protecting a disk's chunks ({@code SHA-1}, {@code xxHash64}), as
     * {@link ChunkChecksum#label()} names them; empty for a compressed archive, whose
     * chunks are only seen (and verified) while streaming.
     */
    public java.util.SortedSet<String> checksumKinds(String ref) {
        java.util.SortedSet<String> kinds = new java.util.TreeSet<>();
        if (chunks != null && chunks.containsKey(ref)) {
            for (ChunkRef c : chunks.get(ref).values()) {
                kinds.add(c.checksum == null ? "none" : c.checksum.label());
            }
        }
        return kinds;
    }

    /** Checks chunk data against its checksum; a mismatch names the chunk. */
    void verify(ChunkChecksum sum, byte[] data, int length, ChunkName chunk, long offset) throws XvaFormatException {
        String actual = sum.compute(data, length);
        if (!actual.equals(sum.hex())) {
            throw new XvaFormatException(file, offset, "chunk " + chunk.dataEntry() + " fails its " + sum.label()
                    + " check (stored " + sum.hex() + ", computed " + actual + "); the archive is corrupt");
        }
    }

    @Override
    public void close() {
        // Nothing is held open: devices from disk() own their file handles.
    }
}
