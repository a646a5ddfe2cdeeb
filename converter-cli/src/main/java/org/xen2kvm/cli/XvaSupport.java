package org.xen2kvm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.xva.XvaArchive;
import org.xen2kvm.xva.XvaDisk;
import org.xen2kvm.JsonStyle;

/** {@code disk info} and {@code disk convert} for XenServer/XCP-ng XVA archives. */
final class XvaSupport {
    /** POSIX tar's "ustar" magic at byte 257 of the first header. */
    private static final int TAR_MAGIC_OFFSET = 257;

    private XvaSupport() {
    }

    /** An XVA: asked for with {@code --src-format xva}, named {@code .xva}, or a tar with ova.xml first. */
    static boolean isXva(Path image, String srcFormat) throws IOException {
        if (srcFormat != null) {
            return srcFormat.equalsIgnoreCase("xva");
        }
        if (image.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xva")) {
            return true;
        }
        byte[] head = new byte[512];
        try (InputStream in = Files.newInputStream(image)) {
            if (in.readNBytes(head, 0, head.length) < head.length) {
                return false;
            }
        }
        return new String(head, TAR_MAGIC_OFFSET, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar")
                && new String(head, 0, 7, java.nio.charset.StandardCharsets.US_ASCII).equals("ova.xml");
    }

    /** The disk to convert: the only one, or the one {@code --xva-disk} names. */
    static String pickDisk(XvaArchive xva, String wanted) throws DiskFormatException {
        List<String> refs = xva.disks().stream().map(XvaDisk::ref).toList();
        if (wanted != null) {
            if (!refs.contains(wanted)) {
                throw new DiskFormatException(xva.file(), 0, "no disk " + wanted + " in the archive; it holds " + refs);
            }
            return wanted;
        }
        if (refs.size() != 1) {
            throw new DiskFormatException(xva.file(), 0, "the archive holds " + refs.size() + " disks " + refs
                    + "; choose one with --xva-disk");
        }
        return refs.get(0);
    }

    static String text(XvaArchive xva) {
        StringBuilder sb = new StringBuilder();
        sb.append("image: ").append(xva.file()).append('\n');
        sb.append("format: xva").append(xva.compression() == XvaArchive.Compression.NONE ? ""
                : " (" + xva.compression().name().toLowerCase(Locale.ROOT) + "-compressed)").append('\n');
        for (XvaDisk d : xva.disks()) {
            sb.append("disk ").append(d.ref()).append(": virtual size ").append(d.virtualSize()).append(" bytes");
            if (d.chunks() >= 0) {
                sb.append(", ").append(d.chunks()).append(" chunks of 1 MiB stored, checksums ")
                        .append(String.join("+", xva.checksumKinds(d.ref())));
            } else {
                sb.append(", chunks verified while streaming");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String json(XvaArchive xva) {
        ObjectNode o = JsonStyle.object()
                .put("path", xva.file().toString())
                .put("format", "xva")
                .put("compression", xva.compression().name().toLowerCase(Locale.ROOT));
        ArrayNode disks = o.putArray("disks");
        for (XvaDisk d : xva.disks()) {
            ObjectNode disk = disks.addObject().put("ref", d.ref()).put("virtualSize", d.virtualSize());
            if (d.chunks() >= 0) {
                disk.put("chunks", d.chunks());
            } else {
                disk.putNull("chunks");
            }
            disk.set("checksums", JsonStyle.strings(xva.checksumKinds(d.ref())));
        }
        return JsonStyle.pretty(o);
    }
}
