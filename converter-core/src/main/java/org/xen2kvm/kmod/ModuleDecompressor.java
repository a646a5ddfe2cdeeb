package org.xen2kvm.kmod;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The ELF bytes of a kernel module file, whichever way the distribution compressed it:
 * {@code .ko} (as is), {@code .ko.xz} (Fedora, RHEL 9, SUSE, Debian 13), {@code .ko.zst}
 * (Arch, Fedora 38+), {@code .ko.gz}. The suffix picks the decoder, as kmod does; the output
 * is bounded so a compression bomb in a guest cannot exhaust memory.
 */
public final class ModuleDecompressor {
    /** Largest module accepted once decompressed; the biggest in-tree modules are ~20 MiB. */
    public static final int MAX_MODULE_BYTES = 64 << 20;
    /** Memory the xz decoder may use for its dictionary (xz -9 needs 65 MiB; kmod modules use far less). */
    private static final int XZ_MEMORY_LIMIT_KIB = 96 << 10;

    private ModuleDecompressor() {
    }

    /** The compression a module file name says it has. */
    public enum Compression {
        NONE(".ko"), XZ(".ko.xz"), ZSTD(".ko.zst"), GZIP(".ko.gz");

        private final String suffix;

        Compression(String suffix) {
            this.suffix = suffix;
        }

        /** File name ending, e.g. {@code .ko.xz}. */
        public String suffix() {
            return suffix;
        }

        /** The compression of {@code fileName}, or null when it is not a module file name. */
        public static Compression of(String fileName) {
            for (Compression c : values()) {
                if (fileName.endsWith(c.suffix) && fileName.length() > c.suffix.length()) {
                    return c;
                }
            }
            return null;
        }
    }

    /** True for a name kmod treats as a module file. */
    public static boolean isModuleFile(String fileName) {
        return Compression.of(fileName) != null;
    }

    /**
     * The ELF image of a module file.
     *
     * @param name the file's name or path (its suffix picks the decoder; also used in messages)
     * @throws ModuleFormatException if the name is not a module name, the data is corrupt, or
     *         the module is larger than {@link #MAX_MODULE_BYTES} once decompressed
     */
    public static byte[] decompress(String name, byte[] data) throws ModuleFormatException {
        Compression c = Compression.of(name);
        if (c == null) {
            throw new ModuleFormatException(name + ": not a kernel module file name (.ko, .ko.xz, .ko.zst, .ko.gz)");
        }
        if (c == Compression.NONE) {
            if (data.length > MAX_MODULE_BYTES) {
                throw tooLarge(name);
            }
            return data;
        }
        try (InputStream in = open(c, new ByteArrayInputStream(data))) {
            return readBounded(name, in);
        } catch (ModuleFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // The decoders report corruption as IOException subclasses, and aircompressor's zstd
            // as unchecked exceptions; either way it is this file that is damaged.
            throw new ModuleFormatException(name + ": corrupt " + c.name().toLowerCase(java.util.Locale.ROOT)
                    + " data: " + oneLine(e), e);
        }
    }

    private static InputStream open(Compression c, InputStream raw) throws IOException {
        return switch (c) {
            case XZ -> new XZInputStream(raw, XZ_MEMORY_LIMIT_KIB);
            case ZSTD -> new ZstdInputStream(raw);
            case GZIP -> new GZIPInputStream(raw, 1 << 16);
            case NONE -> raw;
        };
    }

    private static byte[] readBounded(String name, InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() + (long) n > MAX_MODULE_BYTES) {
                throw tooLarge(name);
            }
            out.write(buf, 0, n);
        }
        if (out.size() == 0) {
            throw new ModuleFormatException(name + ": decompresses to nothing");
        }
        return out.toByteArray();
    }

    private static ModuleFormatException tooLarge(String name) {
        return new ModuleFormatException(name + ": larger than " + (MAX_MODULE_BYTES >> 20)
                + " MiB once decompressed; not a kernel module");
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }
}
