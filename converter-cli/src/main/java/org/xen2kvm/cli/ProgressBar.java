package org.xen2kvm.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.xen2kvm.image.ProgressEvent;
import org.xen2kvm.image.ProgressListener;
import org.xen2kvm.JsonStyle;

/**
 * Renders copy progress: a bar redrawn in place on a terminal, otherwise a line every 10 %;
 * and the JSON-line form for {@code --json}.
 */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 40;
    private final PrintWriter err;
    private final boolean terminal;
    private int lastTenth = -1;

    ProgressBar(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void progress(ProgressEvent e) {
        double fraction = e.bytesTotal() == 0 ? 1 : (double) e.bytesDone() / e.bytesTotal();
        double mibs = e.bytesPerSecond() / (1 << 20);
        if (terminal) {
            int filled = (int) Math.round(fraction * WIDTH);
            err.printf(Locale.ROOT, "\r[%s%s] %3.0f%% %8.1f MiB/s %s", "#".repeat(filled),
                    " ".repeat(WIDTH - filled), fraction * 100, mibs, e.what());
            if (e.complete()) {
                err.println();
            }
        } else {
            int tenth = (int) (fraction * 10);
            if (tenth != lastTenth) {
                lastTenth = tenth;
                err.printf(Locale.ROOT, "%s: %3d%% %.1f MiB/s%n", e.what(), tenth * 10, mibs);
            }
        }
        err.flush();
    }

    /** One progress event as a JSON line: {@code {"event":"progress","what":..,"done":..,"total":..,"rate":..}}. */
    static String jsonLine(ProgressEvent e) {
        return JsonStyle.compact(JsonStyle.object().put("event", "progress").put("what", e.what())
                .put("done", e.bytesDone()).put("total", e.bytesTotal())
                .put("rate", Math.round(e.bytesPerSecond())));
    }
}
