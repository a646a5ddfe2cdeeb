package org.xen2kvm.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.open.ImageOpener;
import org.xen2kvm.image.write.OutputSpace;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceDisk;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceNic;

/**
 * Makes a plan from scanned definitions: one entry per definition (a broken one included,
 * named after its file and carrying its error), each disk with its size and the data its copy
 * writes, and the warnings a migration engineer wants before the weekend: guests sharing a
 * name, UUID or MAC, disks that are missing, an output file system too small for all of it.
 */
public final class PlanBuilder {
    private PlanBuilder() {
    }

    /**
     * Builds the plan.
     *
     * @param sources   what was scanned, as given
     * @param scan      the scan's result
     * @param defaults  convert options for every guest
     * @param outputDir where the disks will be written (for the free-space check), or null
     */
    public static Plan build(List<Path> sources, DefinitionScanner.Result scan, Map<String, Object> defaults,
                             Path outputDir) {
        List<PlanEntry> entries = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<String> used = new HashSet<>();
        Map<String, List<String>> byXenName = new LinkedHashMap<>();
        Map<String, List<String>> byUuid = new LinkedHashMap<>();
        Map<String, List<String>> byMac = new LinkedHashMap<>();
        for (DefinitionScanner.Candidate c : scan.candidates()) {
            Path file = c.file().toAbsolutePath().normalize();
            String stem = stem(file);
            SourceGuest guest;
            try {
                guest = GuestDefinitionReader.read(file, null);
            } catch (IOException | RuntimeException e) {
                String name = unique(sanitize(stem), used);
                entries.add(new PlanEntry(name, file.toString(), c.format() == null ? null : c.format().label(),
                        null, List.of(), List.of(), name, 1, false, Map.of(), List.of(), List.of(), message(e)));
                warnings.add(file + ": cannot be read, listed as failed guest " + name + ": " + message(e));
                continue;
            }
            String xenName = guest.name() != null && !guest.name().isBlank() ? guest.name() : stem;
            String name = unique(sanitize(xenName), used);
            String where = name + " (" + file + ")";
            byXenName.computeIfAbsent(xenName, k -> new ArrayList<>()).add(where);
            if (guest.uuid() != null) {
                byUuid.computeIfAbsent(guest.uuid().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(where);
            }
            List<String> macs = new ArrayList<>();
            for (SourceNic n : guest.nics()) {
                if (n.mac() != null) {
                    macs.add(n.mac());
                    byMac.computeIfAbsent(n.mac().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(where);
                }
            }
            List<PlanDisk> disks = disks(file, guest, warnings, name);
            entries.add(new PlanEntry(name, file.toString(), guest.origin().label(), guest.uuid(), macs, disks, name,
                    1, false, Map.of(), List.of(), List.of(), null));
        }
        duplicates("name", byXenName, warnings);
        duplicates("UUID", byUuid, warnings);
        duplicates("MAC", byMac, warnings);
        space(entries, outputDir, warnings);
        List<String> src = sources.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList();
        return new Plan(Plan.VERSION, src, defaults, List.of(), List.of(), null, warnings, scan.skipped(), entries);
    }

    private static List<PlanDisk> disks(Path file, SourceGuest guest, List<String> warnings, String name) {
        List<PlanDisk> disks = new ArrayList<>();
        if (guest.origin() == ConfigFormat.XVA) {
            // The disks are inside the export; their data is at most its size.
            disks.add(new PlanDisk(file.toString(), null, null, fileSize(file), "the disks inside the XVA export"));
            return disks;
        }
        for (SourceDisk d : guest.disks()) {
            if (d.cdrom() || d.path() == null) {
                continue;
            }
            Path p = Path.of(d.path());
            if (!Files.exists(p)) {
                disks.add(new PlanDisk(d.path(), d.vdev(), null, null, "missing"));
                warnings.add("guest " + name + ": disk " + d.path() + " (" + d.vdev() + ") does not exist here");
                continue;
            }
            try (BlockDevice dev = ImageOpener.open(p, d.format(), ImageOpener.OpenOptions.DEFAULT)) {
                disks.add(new PlanDisk(d.path(), d.vdev(), dev.size(), OutputSpace.dataBytes(dev), null));
            } catch (IOException | RuntimeException e) {
                disks.add(new PlanDisk(d.path(), d.vdev(), null, fileSize(p),
                        "allocation map not read (" + message(e) + "); the file size stands in"));
            }
        }
        return disks;
    }

    private static Long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return null;
        }
    }

    private static void duplicates(String what, Map<String, List<String>> seen, List<String> warnings) {
        seen.forEach((key, guests) -> {
            if (guests.size() > 1) {
                warnings.add("duplicate " + what + " " + key + ": " + String.join(", ", guests)
                        + (what.equals("name") ? "; the entries were given distinct names, edit them as needed"
                        : what.equals("UUID") ? "; libvirt refuses a second domain with the same UUID"
                        : "; the guests would clash on one network"));
            }
        });
    }

    private static void space(List<PlanEntry> entries, Path outputDir, List<String> warnings) {
        if (outputDir == null) {
            return;
        }
        List<OutputSpace.DiskNeed> needs = new ArrayList<>();
        for (PlanEntry e : entries) {
            if (!e.skip()) {
                needs.add(new OutputSpace.DiskNeed(outputDir.resolve(e.targetName()), e.dataBytes()));
            }
        }
        try {
            OutputSpace space = OutputSpace.measure(needs, outputDir);
            if (space.tooSmall()) {
                warnings.add("not enough space in " + outputDir + " for every guest: " + space.summary());
            }
        } catch (IOException | RuntimeException e) {
            warnings.add(outputDir + ": free space not measured: " + message(e));
        }
    }

    /** The file name without its last extension ({@code web1.cfg} -> {@code web1}). */
    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** A name usable as an entry name: other characters become '_'. */
    static String sanitize(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length() && sb.length() < 190; i++) {
            char c = name.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '+' || c == '-'
                    || (c == '.' && sb.length() > 0));
            sb.append(ok ? c : '_');
        }
        return sb.length() == 0 ? "guest" : sb.toString();
    }

    private static String unique(String name, Set<String> used) {
        String n = name;
        for (int i = 2; !used.add(n); i++) {
            n = name + "-" + i;
        }
        return n;
    }

    static String message(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such file";
        }
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
