package org.xen2kvm.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.xen2kvm.disk.write.ProgressEvent;

/** Draws copy progress as a one-line bar, or formats it as a JSON line. */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter out;

    ProgressBar(PrintWriter out) {
        this.out = out;
    }

    void show(ProgressEvent e) {
        double f = e.bytesTotal() == 0 ? 1 : (double) e.bytesDone() / e.bytesTotal();
        int filled = (int) Math.round(f * WIDTH);
        out.print(String.format(Locale.ROOT, "\r[%s%s] %5.1f%% %8.1f MiB/s %s", "#".repeat(filled),
                " ".repeat(WIDTH - filled), f * 100, e.bytesPerSecond() / (1 << 20), e.what()));
        if (e.bytesDone() >= e.bytesTotal()) {
            out.println();
        }
        out.flush();
    }

    static String jsonLine(ProgressEvent e) {
        return String.format(Locale.ROOT, "{\"event\":\"progress\",\"what\":%s,\"done\":%d,\"total\":%d,\"rate\":%.0f}",
                org.xen2kvm.json.JsonWriter.write(e.what()).trim(), e.bytesDone(), e.bytesTotal(), e.bytesPerSecond());
    }
}
