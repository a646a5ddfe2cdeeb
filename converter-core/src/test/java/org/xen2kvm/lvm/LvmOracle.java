package org.xen2kvm.lvm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xen2kvm.testutil.StrictJson;
import org.xen2kvm.testutil.ExternalTool;

/**
 * Builds LVM2 images with the real lvm2 tools and reads their reports. pvcreate needs a block
 * device, so each image file is attached to a loop device; lvm2 is confined to exactly these
 * loop devices by a filter (other engineers' loop devices are never scanned), keeps no backups,
 * and lays out LVs without device-mapper ({@code --driverloaded n -an -Zn}). Public for the CLI's
 * tests (converter-core's test-jar), which build LVM guests the same way.
 */
public final class LvmOracle implements AutoCloseable {
    private final List<String> loops = new ArrayList<>();

    public static void requireTools() {
        ExternalTool.require("losetup", "pvcreate", "vgcreate", "lvcreate", "lvrename", "pvs", "vgs", "lvs", "dd",
                "truncate");
        ExternalTool.requireThat(java.nio.file.Files.exists(Path.of("/dev/loop-control")),
                "loop devices (/dev/loop-control) are needed to run pvcreate on an image file");
    }

    /** Makes a sparse image of {@code size} (truncate syntax) and attaches it; returns the loop device. */
    public String attach(Path image, String size) throws Exception {
        ok(List.of("truncate", "-s", size, image.toString()));
        String loop = ok(List.of("losetup", "-f", "--show", image.toString())).strip();
        loops.add(loop);
        return loop;
    }

    /** Confines lvm2 to (and detaches at the end) a loop device attached elsewhere. */
    public void adopt(String loop) {
        loops.add(loop);
    }

    public String config() {
        StringBuilder f = new StringBuilder();
        for (String l : loops) {
            f.append("\"a|^").append(l).append("$|\",");
        }
        return "devices { filter=[" + f + "\"r|.*|\"] obtain_device_list_from_udev=0 } "
                + "activation { udev_sync=0 udev_rules=0 } backup { backup=0 archive=0 }";
    }

    /** Runs an lvm2 command with the confining configuration; fails on a non-zero exit. */
    public String lvm(String program, String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of(program, "--config", config()));
        c.addAll(List.of(args));
        return ok(c);
    }

    public String lvcreate(String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of("--driverloaded", "n", "-an", "-Zn", "-y"));
        c.addAll(List.of(args));
        return lvm("lvcreate", c.toArray(String[]::new));
    }

    /** The rows of a {@code pvs}/{@code vgs}/{@code lvs} JSON report, in bytes. */
    @SuppressWarnings("unchecked")
    public List<Map<String, String>> report(String program, String kind, String fields) throws Exception {
        // lvm2's messages (a damaged metadata copy, say) come on stderr, merged into the output
        // here: only lines of JSON are kept.
        String out = lvm(program, "--units", "b", "--nosuffix", "--reportformat", "json", "-o", fields).lines()
                .filter(l -> l.strip().matches("[{}\\[\\]\"].*")).collect(java.util.stream.Collectors.joining("\n"));
        String json = out.substring(out.indexOf('{'), out.lastIndexOf('}') + 1);
        Map<String, Object> top = (Map<String, Object>) StrictJson.parse(json);
        Map<String, Object> r = ((List<Map<String, Object>>) top.get("report")).get(0);
        return (List<Map<String, String>>) (List<?>) r.get(kind);
    }

    /** Writes {@code data} into {@code image} at byte {@code offset} with dd. */
    public static void dd(Path image, Path data, long offset) throws Exception {
        ok(List.of("dd", "if=" + data, "of=" + image, "bs=512", "seek=" + offset, "oflag=seek_bytes", "conv=notrunc",
                "status=none"));
    }

    public static String ok(List<String> command) throws Exception {
        ExternalTool.Result r = ExternalTool.run(command);
        if (r.exitCode() != 0) {
            throw new IOException(command + " exited " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }

    /** Detaches the loop devices so lvm2's view ends here and the images can be read as files. */
    @Override
    public void close() throws Exception {
        for (String l : loops) {
            ExternalTool.run(List.of("losetup", "-d", l));
        }
        loops.clear();
    }
}
