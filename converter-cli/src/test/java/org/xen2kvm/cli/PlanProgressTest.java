package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xen2kvm.batch.PlanEntry;
import org.xen2kvm.pipeline.ConversionEvent;
import org.xen2kvm.testutil.StrictJson;

/** The JSON-lines events of {@code plan run --json}: every line starts with event and guest, in the documented order. */
class PlanProgressTest {

    @Test
    void eventKeysComeInTheDocumentedOrder() {
        StringWriter out = new StringWriter();
        PlanProgress p = new PlanProgress(new PrintWriter(out), PlanProgress.Mode.JSON);
        PlanEntry guest = new PlanEntry("web1", "/etc/xen/web1.cfg", "xl", null, List.of(), List.of(), "web1", 1, false,
                Map.of(), List.of(), List.of(), null);
        // These events were built with Map.of, whose order changes with each JVM's hash salt.
        p.started(guest);
        p.event(guest, new ConversionEvent.StageStarted("copy", null));
        p.event(guest, new ConversionEvent.Warning("disk is large"));
        List<List<String>> keys = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            keys.add(new ArrayList<>(StrictJson.object(line).keySet()));
        }
        assertEquals(List.of(List.of("event", "guest"), List.of("event", "guest", "stage"),
                List.of("event", "guest", "message")), keys, out.toString());
    }
}
