package org.xen2kvm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.xen2kvm.JsonStyle;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.ImageInfo;
import org.xen2kvm.image.open.ImageOpener;
import org.xen2kvm.image.DiskFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xen2kvm disk info IMAGE}: format, sizes and backing chain of a guest disk image. */
@Command(name = "info",
        mixinStandardHelpOptions = true,
        description = "Shows a disk image's format, virtual and allocated size, format details and backing chain.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the image could not be read (I/O error)",
            "2:bad usage, or the image is corrupt, unsupported or its chain is refused"})
public final class DiskInfoCommand implements Callable<Integer> {
    static final int EXIT_IO = 1;
    static final int EXIT_INVALID = 2;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image file (raw, qcow, qcow2, VHD).")
    Path image;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--src-format", paramLabel = "F",
            description = "The image format (raw, qcow, qcow2, vhd/vpc); without it the format is probed.")
    String srcFormat;

    @Option(names = "--allow-backing",
            description = "Let a probed image use backing files outside its directory (only for images you trust).")
    boolean allowBacking;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DiskFormat declared = null;
        if (srcFormat != null) {
            declared = DiskFormat.fromName(srcFormat).orElse(null);
            if (declared == null) {
                err.println("xen2kvm disk info: unknown --src-format '" + srcFormat
                        + "'; use raw, qcow, qcow2, vhd or xva");
                err.flush();
                return EXIT_INVALID;
            }
        }
        ImageInfo info;
        try {
            if (XvaSupport.isXva(image, srcFormat)) {
                try (org.xen2kvm.xva.XvaArchive xva = org.xen2kvm.xva.XvaArchive.open(image)) {
                    out.print(json ? XvaSupport.json(xva) + "\n" : XvaSupport.text(xva));
                    out.flush();
                    return 0;
                }
            }
            info = ImageOpener.inspect(image, declared, new ImageOpener.OpenOptions(allowBacking));
        } catch (DiskFormatException e) {
            return fail(err, e.getMessage(), EXIT_INVALID);
        } catch (NoSuchFileException e) {
            return fail(err, e.getFile() + ": no such file", EXIT_INVALID);
        } catch (IOException e) {
            return fail(err, image + ": " + e.getMessage(), EXIT_IO);
        }
        out.print(json ? toJson(info) + "\n" : toText(info));
        out.flush();
        return 0;
    }

    private static int fail(PrintWriter err, String message, int code) {
        err.println("xen2kvm disk info: " + message.replace('\n', ' '));
        err.flush();
        return code;
    }

    static String toText(ImageInfo info) {
        StringBuilder sb = new StringBuilder();
        describe(sb, info, "");
        int n = 1;
        for (ImageInfo parent : info.backingChain()) {
            sb.append("backing image ").append(n++).append(":\n");
            describe(sb, parent, "  ");
        }
        return sb.toString();
    }

    private static void describe(StringBuilder sb, ImageInfo info, String indent) {
        sb.append(indent).append("image: ").append(info.path()).append('\n');
        sb.append(indent).append("file format: ").append(info.format().label()).append('\n');
        sb.append(indent).append("virtual size: ").append(humanSize(info.virtualSize())).append('\n');
        sb.append(indent).append("disk size: ").append(humanSize(info.allocatedBytes())).append('\n');
        for (Map.Entry<String, String> d : info.details().entrySet()) {
            sb.append(indent).append(d.getKey()).append(": ").append(d.getValue()).append('\n');
        }
    }

    /** "64 MiB (67108864 bytes)", like qemu-img info. */
    static String humanSize(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        String human = bytes + " B";
        double v = bytes;
        for (String u : units) {
            if (v < 1024) {
                break;
            }
            v /= 1024;
            human = (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v)) + " " + u;
        }
        return human + " (" + bytes + " bytes)";
    }

    static String toJson(ImageInfo info) {
        ObjectNode o = fields(JsonStyle.object(), info);
        ArrayNode chain = o.putArray("backing-chain");
        for (ImageInfo below : info.backingChain()) {
            fields(chain.addObject(), below);
        }
        return JsonStyle.compact(o);
    }

    private static ObjectNode fields(ObjectNode o, ImageInfo info) {
        o.put("filename", info.path().toString());
        o.put("format", info.format().label());
        o.put("virtual-size", info.virtualSize());
        o.put("allocated-bytes", info.allocatedBytes());
        ObjectNode details = o.putObject("details");
        info.details().forEach(details::put);
        return o;
    }
}
