package org.xen2kvm.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xen2kvm.JsonStyle;

/**
 * The state of every guest of a plan, from the plan and its state folder: what
 * {@code plan status --json} prints and the reports hold. The JSON shape is a stable contract
 * (docs/plan-json.md): keys are added, never renamed or removed.
 */
@JsonPropertyOrder({"plan", "generatedAt", "guests", "totals"})
public record PlanStatus(String plan, String generatedAt, List<Guest> guests, Totals totals) {

    /** One guest. Every key is always present; null where it does not apply (yet). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"name", "target", "source", "wave", "state", "error", "startedAt", "finishedAt", "seconds",
        "outputs", "registered", "warnings", "bootSeconds", "bytesCopied", "dataBytes", "owner", "hookOutput"})
    public record Guest(String name, String target, String source, int wave, GuestStatus state, String error,
                        String startedAt, String finishedAt, Double seconds, List<String> outputs, String registered,
                        List<String> warnings, Double bootSeconds, Long bytesCopied, long dataBytes, String owner,
                        String hookOutput) {
    }

    @JsonPropertyOrder({"guests", "pending", "running", "done", "failed", "skipped", "seconds", "bytesCopied"})
    public record Totals(int guests, int pending, int running, int done, int failed, int skipped, double seconds,
                         long bytesCopied) {
    }

    /**
     * Reads the state of every guest of {@code plan}.
     *
     * @throws IOException when a state file cannot be read
     */
    public static PlanStatus of(Path planFile, Plan plan) throws IOException {
        StateStore store = StateStore.beside(planFile);
        List<Guest> guests = new ArrayList<>();
        int[] count = new int[GuestStatus.values().length];
        double seconds = 0;
        long bytes = 0;
        for (PlanEntry e : plan.guests()) {
            Guest g = guest(store, e);
            guests.add(g);
            count[g.state().ordinal()]++;
            seconds += g.seconds() == null ? 0 : g.seconds();
            bytes += g.bytesCopied() == null ? 0 : g.bytesCopied();
        }
        Totals totals = new Totals(guests.size(), count[GuestStatus.PENDING.ordinal()],
                count[GuestStatus.RUNNING.ordinal()], count[GuestStatus.DONE.ordinal()],
                count[GuestStatus.FAILED.ordinal()], count[GuestStatus.SKIPPED.ordinal()], seconds, bytes);
        return new PlanStatus(planFile.toAbsolutePath().toString(), Instant.now().toString(), guests, totals);
    }

    private static Guest guest(StateStore store, PlanEntry e) throws IOException {
        Optional<GuestState> read = store.read(e.name());
        if (read.isEmpty()) {
            GuestStatus st = e.skip() ? GuestStatus.SKIPPED : e.error() != null ? GuestStatus.FAILED : GuestStatus.PENDING;
            return new Guest(e.name(), e.targetName(), e.source(), e.wave(), st, e.skip() ? null : e.error(), null, null,
                    null, List.of(), null, List.of(), null, null, e.dataBytes(), null, null);
        }
        GuestState s = read.get();
        GuestStatus st = s.state();
        String error = s.error();
        if (st == GuestStatus.RUNNING && !store.isHeld(e.name())) {
            st = GuestStatus.PENDING;
            error = "interrupted: the run converting it (" + s.owner() + ") stopped before finishing; "
                    + "the next plan run converts it again";
        } else if (e.skip() && st != GuestStatus.DONE && st != GuestStatus.RUNNING) {
            st = GuestStatus.SKIPPED;
        }
        return new Guest(e.name(), e.targetName(), e.source(), e.wave(), st, error, s.startedAt(), s.finishedAt(),
                s.seconds(), s.outputs(), s.registered(), s.warnings(), s.bootSeconds(), s.bytesCopied(),
                e.dataBytes(), s.owner(), s.hookOutput());
    }

    /** As indented JSON. */
    public String toJson() {
        try {
            return JsonStyle.pretty().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a status always serializes", e);
        }
    }

    /** True when every guest is done or skipped. */
    public boolean complete() {
        return totals.done() + totals.skipped() == totals.guests();
    }
}
