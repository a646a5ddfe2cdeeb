package org.xen2kvm.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xen2kvm.JsonStyle;
import org.xen2kvm.batch.GuestState;
import org.xen2kvm.batch.PlanEntry;
import org.xen2kvm.batch.PlanListener;
import org.xen2kvm.batch.RunOutcome;
import org.xen2kvm.image.ProgressEvent;
import org.xen2kvm.image.write.OutputSpace;
import org.xen2kvm.pipeline.ConversionEvent;

/**
 * Shows a plan run on stderr. On a terminal: one line per running guest (stage, percent,
 * rate) and an overall line (guests finished, bytes copied), redrawn in place, with a
 * permanent line as each guest finishes. Otherwise one line per guest start and finish; with
 * {@code --json}, JSON lines ({@code guest-started}, {@code stage}, {@code progress},
 * {@code warning}, {@code guest-finished}). Called from the worker threads, hence synchronized.
 */
final class PlanProgress implements PlanListener {
    enum Mode { TERMINAL, LINES, JSON, QUIET }

    /** Progress lines per guest at most this often (the last one of a disk always goes out). */
    private static final long JSON_PROGRESS_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final Mode mode;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private int total;
    private int finished;
    private long totalBytes;
    private long finishedBytes;
    private int drawnLines;
    private long lastDraw;

    private static final class Running {
        String stage = "start";
        final Map<String, ProgressEvent> disks = new LinkedHashMap<>();
        long lastJson;
    }

    PlanProgress(PrintWriter err, Mode mode) {
        this.err = err;
        this.mode = mode;
    }

    synchronized void begin(List<PlanEntry> guests) {
        total = guests.size();
        for (PlanEntry g : guests) {
            if (!g.skip()) {
                totalBytes += g.sizeBytes();
            }
        }
    }

    synchronized void end() {
        if (mode == Mode.TERMINAL) {
            clear();
            err.println(overall());
            err.flush();
        }
    }

    @Override
    public synchronized void started(PlanEntry guest) {
        running.put(guest.name(), new Running());
        switch (mode) {
            case JSON -> json(event("guest-started", guest));
            case LINES -> line(guest.name() + ": started");
            case TERMINAL -> draw(true);
            default -> { }
        }
    }

    @Override
    public synchronized void event(PlanEntry guest, ConversionEvent event) {
        Running r = running.get(guest.name());
        if (r == null || mode == Mode.QUIET) {
            return;
        }
        if (event instanceof ConversionEvent.StageStarted s) {
            r.stage = s.stage();
            if (mode == Mode.JSON) {
                json(event("stage", guest, "stage", s.stage()));
            }
            draw(false);
        } else if (event instanceof ConversionEvent.Warning w) {
            if (mode == Mode.JSON) {
                json(event("warning", guest, "message", w.message()));
            }
        } else if (event instanceof ConversionEvent.Progress p) {
            ProgressEvent e = p.progress();
            r.disks.put(e.what(), e);
            if (mode == Mode.JSON) {
                long now = System.nanoTime();
                if (e.complete() || now - r.lastJson >= JSON_PROGRESS_NANOS) {
                    r.lastJson = now;
                    Map<String, Object> m = event("progress", guest, "what", e.what());
                    m.put("done", e.bytesDone());
                    m.put("total", e.bytesTotal());
                    m.put("rate", Math.round(e.bytesPerSecond()));
                    json(m);
                }
            }
            draw(false);
        }
    }

    @Override
    public synchronized void finished(PlanEntry guest, RunOutcome outcome) {
        Running r = running.remove(guest.name());
        finished++;
        GuestState s = outcome.state();
        if (r != null) {
            for (ProgressEvent e : r.disks.values()) {
                finishedBytes += e.bytesDone();
            }
        }
        String result = outcome.result().name().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (mode) {
            case JSON -> {
                Map<String, Object> m = event("guest-finished", guest, "result", result);
                m.put("state", s == null ? null : s.state().label());
                m.put("seconds", s == null ? null : s.seconds());
                m.put("bytesCopied", s == null ? null : s.bytesCopied());
                m.put("error", outcome.failed() ? outcome.note() : null);
                json(m);
            }
            case LINES -> line(summary(guest, outcome, result));
            case TERMINAL -> {
                clear();
                err.println(summary(guest, outcome, result));
                draw(true);
            }
            default -> { }
        }
    }

    private static String summary(PlanEntry guest, RunOutcome o, String result) {
        GuestState s = o.state();
        StringBuilder sb = new StringBuilder(guest.name()).append(": ").append(result);
        if (o.result() == RunOutcome.Result.CONVERTED && s != null) {
            sb.append(String.format(Locale.ROOT, " in %.1f s, %s copied", s.seconds(),
                    OutputSpace.human(s.bytesCopied() == null ? 0 : s.bytesCopied())));
            if (s.bootSeconds() != null) {
                sb.append(String.format(Locale.ROOT, ", login prompt after %.1f s", s.bootSeconds()));
            }
        } else if (o.note() != null) {
            sb.append(": ").append(o.note());
        }
        return sb.toString();
    }

    private void line(String s) {
        err.println(s);
        err.flush();
    }

    /**
     * An event's first keys, in the order the JSON-lines contract shows them ({@code Map.of}
     * would order them differently from one run to the next).
     */
    private static Map<String, Object> event(String kind, PlanEntry guest, String... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", kind);
        m.put("guest", guest.name());
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private void json(Map<String, Object> event) {
        err.println(JsonStyle.compact(event));
        err.flush();
    }

    /** Redraws the running guests and the overall line (at most every 200 ms unless forced). */
    private void draw(boolean force) {
        if (mode != Mode.TERMINAL) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        clear();
        for (Map.Entry<String, Running> e : running.entrySet()) {
            err.println(guestLine(e.getKey(), e.getValue()));
        }
        err.println(overall());
        drawnLines = running.size() + 1;
        err.flush();
    }

    private void clear() {
        for (int i = 0; i < drawnLines; i++) {
            err.print("\033[1A\033[2K");
        }
        err.print("\r");
        drawnLines = 0;
    }

    private static String guestLine(String name, Running r) {
        long done = 0;
        long all = 0;
        double rate = 0;
        for (ProgressEvent e : r.disks.values()) {
            done += e.bytesDone();
            all += e.bytesTotal();
            rate += e.complete() ? 0 : e.bytesPerSecond();
        }
        String pct = all == 0 ? "" : String.format(Locale.ROOT, " %3.0f%% %7.1f MiB/s", 100.0 * done / all,
                rate / (1 << 20));
        return String.format(Locale.ROOT, "  %-24s %-8s%s", name, r.stage, pct);
    }

    private String overall() {
        long bytes = finishedBytes;
        for (Running r : running.values()) {
            for (ProgressEvent e : r.disks.values()) {
                bytes += e.bytesDone();
            }
        }
        int width = 30;
        double fraction = total == 0 ? 1 : (double) finished / total;
        int filled = (int) Math.round(fraction * width);
        return String.format(Locale.ROOT, "[%s%s] %d/%d guests, disks %s of about %s", "#".repeat(filled),
                " ".repeat(width - filled), finished, total, OutputSpace.human(bytes),
                OutputSpace.human(Math.max(bytes, totalBytes)));
    }
}
