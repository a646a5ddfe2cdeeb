package org.xen2kvm.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.xen2kvm.image.write.OutputSpace;

/**
 * The report of a plan for a change ticket: {@code PLAN.report.md} for people and
 * {@code PLAN.report.json} (the {@link PlanStatus} JSON) for tools, beside the plan, where
 * {@code PLAN} is the plan's file name without {@code .yaml}/{@code .yml}.
 */
public final class PlanReport {
    private PlanReport() {
    }

    /** {@code dir/PLAN.report.EXT} for the plan file. */
    public static Path path(Path planFile, String ext) {
        Path abs = planFile.toAbsolutePath();
        String n = abs.getFileName().toString();
        String base = n.replaceFirst("\\.(yaml|yml)$", "");
        return abs.resolveSibling(base + ".report." + ext);
    }

    /** Writes both reports atomically. */
    public static void write(Path planFile, PlanStatus status) throws IOException {
        AtomicFiles.write(path(planFile, "json"), (status.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(path(planFile, "md"), markdown(status).getBytes(StandardCharsets.UTF_8));
    }

    /** The report in Markdown. */
    public static String markdown(PlanStatus s) {
        PlanStatus.Totals t = s.totals();
        StringBuilder sb = new StringBuilder();
        sb.append("# xen2kvm plan report\n\n");
        sb.append("- plan: `").append(s.plan()).append("`\n");
        sb.append("- generated: ").append(s.generatedAt()).append('\n');
        sb.append(String.format(Locale.ROOT, "- guests: %d (done %d, failed %d, skipped %d, pending %d, running %d)%n",
                t.guests(), t.done(), t.failed(), t.skipped(), t.pending(), t.running()));
        sb.append(String.format(Locale.ROOT, "- conversion time (sum): %.1f s; data copied: %s%n%n", t.seconds(),
                OutputSpace.human(t.bytesCopied())));
        sb.append("| guest | target | result | started | seconds | data copied | boot check | warnings |\n");
        sb.append("|---|---|---|---|---:|---:|---|---:|\n");
        for (PlanStatus.Guest g : s.guests()) {
            sb.append("| ").append(cell(g.name())).append(" | ").append(cell(g.target())).append(" | ")
                    .append(g.state().label()).append(" | ").append(g.startedAt() == null ? "" : g.startedAt())
                    .append(" | ").append(g.seconds() == null ? "" : String.format(Locale.ROOT, "%.1f", g.seconds()))
                    .append(" | ").append(g.bytesCopied() == null ? "" : OutputSpace.human(g.bytesCopied()))
                    .append(" | ").append(g.bootSeconds() != null
                            ? String.format(Locale.ROOT, "login prompt after %.1f s", g.bootSeconds()) : "")
                    .append(" | ").append(g.warnings().size()).append(" |\n");
        }
        boolean header = false;
        for (PlanStatus.Guest g : s.guests()) {
            if (g.error() != null) {
                if (!header) {
                    sb.append("\n## Errors\n\n");
                    header = true;
                }
                sb.append("- **").append(g.name()).append("** (").append(g.state().label()).append("): ")
                        .append(g.error()).append('\n');
                if (g.hookOutput() != null && !g.hookOutput().isBlank()) {
                    sb.append("\n  ```\n");
                    for (String line : g.hookOutput().strip().split("\n")) {
                        sb.append("  ").append(line).append('\n');
                    }
                    sb.append("  ```\n");
                }
            }
        }
        header = false;
        for (PlanStatus.Guest g : s.guests()) {
            if (!g.warnings().isEmpty()) {
                if (!header) {
                    sb.append("\n## Warnings\n");
                    header = true;
                }
                sb.append("\n### ").append(g.name()).append("\n\n");
                for (String w : g.warnings()) {
                    sb.append("- ").append(w.replace('\n', ' ')).append('\n');
                }
            }
        }
        header = false;
        for (PlanStatus.Guest g : s.guests()) {
            if (!g.outputs().isEmpty() || g.registered() != null) {
                if (!header) {
                    sb.append("\n## Outputs\n\n");
                    header = true;
                }
                sb.append("- ").append(g.name()).append(g.registered() == null ? "" : " (libvirt domain "
                        + g.registered() + ")").append(": ");
                sb.append(String.join(", ", g.outputs().stream().map(o -> "`" + o + "`").toList())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|");
    }
}
