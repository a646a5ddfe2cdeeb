package org.xen2kvm.config.read;

import org.xen2kvm.config.ConfigParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xen2kvm.config.libvirt.LibvirtXmlReader;
import org.xen2kvm.config.sxp.SxpReader;
import org.xen2kvm.config.xl.XlDialect;
import org.xen2kvm.config.xl.XlFile;
import org.xen2kvm.config.xl.XlGuestMapper;
import org.xen2kvm.config.xl.XlParser;
import org.xen2kvm.xva.XvaReader;
import org.xen2kvm.xva.XvaArchive;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;

/**
 * Entry point: reads any Xen guest definition into a {@link SourceGuest}, detecting its
 * format from the content unless one is forced.
 */
public final class GuestDefinitionReader {
    /** Text configs larger than this are refused: real ones are a few KiB. */
    public static final long MAX_TEXT_BYTES = 1L << 20;
    /**
     * Bytes looked at to detect the format: covers the tar magic at offset 257 and the long
     * comment blocks that precede the first statement of real files (xend-config.sxp: 64 lines).
     */
    static final int HEAD_BYTES = 64 * 1024;

    private GuestDefinitionReader() {
    }

    /**
     * Reads a guest definition.
     *
     * @param forcedFormatOrNull a format to use instead of detecting one; {@link ConfigFormat#XL}
     *                           and {@link ConfigFormat#XM} share the parser and only set the origin
     * @throws ConfigParseException when the file is not a guest definition or is malformed
     * @throws IOException          when the file cannot be read
     */
    public static SourceGuest read(Path file, ConfigFormat forcedFormatOrNull) throws IOException {
        byte[] head = readHead(file);
        ConfigFormat format = forcedFormatOrNull != null ? forcedFormatOrNull : detect(file, head);
        String name = file.toString();
        if (format == ConfigFormat.XVA) {
            return XvaReader.read(file);
        }
        String text = readText(file);
        return switch (format) {
            case SXP -> SxpReader.read(name, text);
            case LIBVIRT -> LibvirtXmlReader.read(name, text);
            case XL, XM -> {
                XlFile parsed = XlParser.parse(name, text);
                ConfigFormat origin = forcedFormatOrNull != null ? forcedFormatOrNull : XlDialect.detect(parsed);
                yield XlGuestMapper.map(parsed, origin);
            }
            case XVA -> throw new IllegalStateException("handled above");
        };
    }

    /**
     * Detects the format from the first bytes: a tar, gzip or zstd file is an XVA (magic
     * bytes as {@link XvaArchive#archiveCompression} tells them, never the file name); text starting
     * (after comments and blanks) with {@code <} is XML (libvirt {@code <domain>} or an
     * XML-RPC {@code <value>} ova.xml); with {@code (} SXP; anything else an xl/xm file,
     * whose dialect is told after parsing.
     *
     * @throws ConfigParseException for binary data or XML/JSON that is no guest definition
     */
    public static ConfigFormat detect(Path file, byte[] head) {
        String name = file.toString();
        if (XvaArchive.archiveCompression(head).isPresent()) {
            return ConfigFormat.XVA;
        }
        for (byte b : head) {
            if (b == 0) {
                throw new ConfigParseException(name, 1, 1, "binary data, not a Xen guest definition",
                        "NUL byte", "an xl/xm config, SXP, libvirt XML, an .xva archive or its ova.xml");
            }
        }
        String text = new String(head, StandardCharsets.UTF_8);
        int i = 0;
        int line = 1;
        int lineStart = 0;
        if (text.startsWith("\uFEFF")) {
            i = 1;
        }
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = i + 1;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else {
                break;
            }
        }
        if (i >= text.length()) {
            return ConfigFormat.XL;
        }
        char c = text.charAt(i);
        String rest = text.substring(i);
        if (c == '<') {
            String body = skipXmlProlog(rest);
            if (body.startsWith("<domain")) {
                return ConfigFormat.LIBVIRT;
            }
            if (body.startsWith("<value") || body.startsWith("<methodResponse") || body.startsWith("<struct")) {
                return ConfigFormat.XVA;
            }
            int at = text.length() - body.length();
            int rootLine = 1;
            int rootLineStart = 0;
            for (int k = 0; k < at; k++) {
                if (text.charAt(k) == '\n') {
                    rootLine++;
                    rootLineStart = k + 1;
                }
            }
            throw new ConfigParseException(name, rootLine, at - rootLineStart + 1,
                    "XML that is neither a libvirt domain nor an XVA ova.xml", firstToken(body),
                    "<domain type='xen'> or an XML-RPC <value><struct>");
        }
        if (c == '(') {
            return ConfigFormat.SXP;
        }
        if (c == '{') {
            throw new ConfigParseException(name, line, i - lineStart + 1,
                    "JSON is not a supported guest definition (libxl JSON is an internal format)", "{",
                    "an xl/xm config, SXP, libvirt XML or an XVA");
        }
        return ConfigFormat.XL;
    }

    /** Skips {@code <?xml ...?>}, comments and a DOCTYPE so the root element can be seen. */
    private static String skipXmlProlog(String s) {
        String t = s.stripLeading();
        while (true) {
            if (t.startsWith("<?")) {
                int end = t.indexOf("?>");
                t = end < 0 ? "" : t.substring(end + 2).stripLeading();
            } else if (t.startsWith("<!--")) {
                int end = t.indexOf("-->");
                t = end < 0 ? "" : t.substring(end + 3).stripLeading();
            } else if (t.startsWith("<!")) {
                // A DOCTYPE with an internal subset ends at "]>", not at the first '>'.
                int bracket = t.indexOf('[');
                int firstClose = t.indexOf('>');
                int end = bracket >= 0 && bracket < firstClose ? t.indexOf("]>") + 1 : firstClose;
                if (end <= 0) {
                    return "";
                }
                t = end < 0 ? "" : t.substring(end + 1).stripLeading();
            } else {
                return t;
            }
        }
    }

    private static String firstToken(String s) {
        int end = 0;
        while (end < s.length() && end < 40 && !Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '>') {
            end++;
        }
        return s.substring(0, end);
    }

    private static byte[] readHead(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(HEAD_BYTES);
        }
    }

    /**
     * Reads a text config of at most {@link #MAX_TEXT_BYTES}, decoding UTF-8 (invalid bytes
     * become U+FFFD: comments in other encodings must not stop the read).
     */
    static String readText(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_TEXT_BYTES) {
            throw new ConfigParseException(file.toString(), 1, 1,
                    "file too large for a guest definition (" + size + " bytes)", file.getFileName().toString(),
                    "a text config of at most 1 MiB");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_TEXT_BYTES + 1);
        }
        if (bytes.length > MAX_TEXT_BYTES) {
            throw new ConfigParseException(file.toString(), 1, 1, "file too large for a guest definition",
                    file.getFileName().toString(), "a text config of at most 1 MiB");
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                int line = 1;
                int col = 1;
                for (int j = 0; j < i; j++) {
                    if (bytes[j] == '\n') {
                        line++;
                        col = 1;
                    } else {
                        col++;
                    }
                }
                throw new ConfigParseException(file.toString(), line, col,
                        "binary data in a text guest definition", "NUL byte", "a text file");
            }
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
