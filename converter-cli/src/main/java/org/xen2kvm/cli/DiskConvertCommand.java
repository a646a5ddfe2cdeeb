package org.xen2kvm.cli;

import java.io.IOException;
import org.xen2kvm.CancelledException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.xen2kvm.JsonStyle;
import org.xen2kvm.Xen2KvmException;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.DiskFormatException;
import org.xen2kvm.image.FormatImage;
import org.xen2kvm.image.open.ImageOpener;
import org.xen2kvm.image.write.CopyResult;
import org.xen2kvm.image.write.DiskCopier;
import org.xen2kvm.image.write.OutputExistsException;
import org.xen2kvm.image.write.OutputFormat;
import org.xen2kvm.image.write.OutputIsSourceException;
import org.xen2kvm.image.write.OutputSpace;
import org.xen2kvm.image.ProgressEvent;
import org.xen2kvm.image.ProgressListener;
import org.xen2kvm.image.write.SourceGuard;
import org.xen2kvm.image.DiskFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code xen2kvm disk convert}: copies one disk image into a sparse raw or qcow2 image. */
@Command(name = "convert",
        mixinStandardHelpOptions = true,
        description = "Converts a disk image (raw, qcow, qcow2, vhd) to a sparse raw or qcow2 v3 image.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the copy failed (I/O error, or no room for the output: refused before the copy when the data"
                + " alone exceeds the free space)",
            "2:bad usage or invalid input (unreadable image, output exists)",
            "130/143:interrupted by SIGINT/SIGTERM (the partial output was removed)"})
public final class DiskConvertCommand implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "Source disk image.")
    Path source;

    @Parameters(index = "1", paramLabel = "DST", description = "Output image; written as DST.part, then renamed.")
    Path destination;

    @Option(names = "-O", required = true, paramLabel = "raw|qcow2", converter = FormatConverter.class,
            description = "Output format: raw (sparse) or qcow2 (v3, 64 KiB clusters).")
    OutputFormat format;

    @Option(names = "--src-format", paramLabel = "F",
            description = "Source format (raw, qcow, qcow2, vhd); without it the content is probed.")
    String sourceFormat;

    @Option(names = "--progress", description = "Show a progress bar (on a terminal).")
    boolean progress;


    @CommandLine.Mixin
    DiskWriteOptions write;

    @Option(names = "--json", description = "Print progress and the result as JSON lines on stdout.")
    boolean json;

    @Option(names = "--xva-disk", paramLabel = "REF", description = "For an XVA archive with several disks: which one (Ref:N).")
    String xvaDisk;


    /**
     * Runs the command on its own, for scripts (the benchmark) that do not go through the
     * top-level {@code xen2kvm} command.
     */
    public static void main(String[] args) {
        Interrupts.install("disk", "convert");
        System.exit(Main.execute(new CommandLine(new DiskConvertCommand()), args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DiskFormat declared = null;
        if (sourceFormat != null && !sourceFormat.equalsIgnoreCase("xva")) {
            declared = DiskFormat.fromName(sourceFormat).orElse(null);
            if (declared == null) {
                return fail(EXIT_USAGE, "--src-format: unknown format '" + sourceFormat
                        + "'; use raw, qcow, qcow2 or vhd");
            }
        }
        if (write.compress && format != OutputFormat.QCOW2) {
            return fail(EXIT_USAGE, "--compress needs -O qcow2: raw images cannot be compressed");
        }
        if (!Files.exists(source)) {
            return fail(EXIT_USAGE, source + ": source image not found");
        }
        try {
            // Before the source is opened: a compressed XVA is unpacked beside DST on open.
            SourceGuard.check(List.of(source), List.of(destination));
        } catch (OutputIsSourceException e) {
            return fail(EXIT_USAGE, e.getMessage());
        }
        ProgressListener listener = listener(out, err);
        try (BlockDevice dev = open(declared, listener)) {
            if (dev instanceof FormatImage image) {
                // The backing chain is known only once the image is open.
                SourceGuard.check(SourceGuard.chain(image), List.of(destination));
            }
            OutputSpace space = OutputSpace.measure(
                    List.of(new OutputSpace.DiskNeed(destination, OutputSpace.dataBytes(dev))),
                    destination.toAbsolutePath().getParent());
            if (json) {
                out.println(JsonStyle.compact(JsonStyle.object().put("event", "space")
                        .put("output", destination.toString())
                        .put("dataBytes", space.neededBytes())
                        .put("fileSystem", space.fileSystem().toString())
                        .put("freeBytes", space.freeBytes())));
                out.flush();
            }
            if (space.tooSmall()) {
                return fail(EXIT_FAILED, space.refusal(destination).getMessage());
            }
            CopyResult r;
            try {
                r = DiskCopier.copy(dev, destination, format, write.copyOptions(), listener);
            } catch (IOException e) {
                if (OutputSpace.isOutOfSpace(e)) {
                    return fail(EXIT_FAILED, space.ranOut(destination, e).getMessage());
                }
                throw e;
            }
            double seconds = r.elapsed().toNanos() / 1e9;
            if (json) {
                out.println(JsonStyle.compact(JsonStyle.object().put("event", "done")
                        .put("output", destination.toString()).put("format", format.label())
                        .put("virtualSize", r.virtualSize()).put("dataBytes", r.dataBytes())
                        .put("bytesWritten", r.bytesWritten())
                        .put("seconds", Math.round(seconds * 1000) / 1000.0)));
            } else if (!GlobalOptions.of(spec).quiet()) {
                out.printf(Locale.ROOT, "%s: wrote %s image, virtual size %d bytes, %d bytes of data, in %.1f s%n",
                        destination, format.label(), r.virtualSize(), r.dataBytes(), seconds);
            }
            out.flush();
            return EXIT_OK;
        } catch (OutputExistsException | DiskFormatException | Xen2KvmException e) {
            return fail(EXIT_USAGE, e.getMessage());
        } catch (CancelledException e) {
            return fail(Interrupts.exitCode(e.reason()), Interrupts.message(e, e));
        } catch (IOException e) {
            return fail(EXIT_FAILED, e.getMessage() != null ? e.getMessage() : e.toString());
        } catch (RuntimeException e) {
            // A reader's bug or a corrupt image it did not foresee: still one line, no trace.
            return fail(EXIT_FAILED, source + ": " + e);
        } finally {
            err.flush();
        }
    }

    /** The source as a device: an XVA disk (unpacked beside DST when compressed), or any image. */
    private BlockDevice open(DiskFormat declared, ProgressListener listener) throws IOException {
        if (XvaSupport.isXva(source, sourceFormat)) {
            try (org.xen2kvm.xva.XvaArchive xva = org.xen2kvm.xva.XvaArchive.open(source)) {
                Path scratch = destination.toAbsolutePath().getParent();
                return xva.openDisk(XvaSupport.pickDisk(xva, xvaDisk), scratch, listener);
            }
        }
        return ImageOpener.open(source, declared, new ImageOpener.OpenOptions(write.allowBacking));
    }

    private ProgressListener listener(PrintWriter out, PrintWriter err) {
        if (json) {
            return e -> {
                out.println(ProgressBar.jsonLine(e));
                out.flush();
            };
        }
        if (progress && !GlobalOptions.of(spec).quiet()) {
            return new ProgressBar(err, System.console() != null);
        }
        return ProgressListener.NONE;
    }

    private int fail(int code, String message) {
        if (json) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(JsonStyle.compact(JsonStyle.object().put("event", "error").put("exitCode", code)
                    .put("message", message)));
            out.flush();
        }
        spec.commandLine().getErr().println("xen2kvm disk convert: " + message);
        return code;
    }

    /** Accepts raw and qcow2 in any case. */
    static final class FormatConverter implements CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            for (OutputFormat f : OutputFormat.values()) {
                if (f.label().equalsIgnoreCase(value)) {
                    return f;
                }
            }
            throw new CommandLine.TypeConversionException("unknown output format '" + value + "'; use raw or qcow2");
        }
    }
}
