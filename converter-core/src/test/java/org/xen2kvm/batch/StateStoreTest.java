package org.xen2kvm.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims, atomic state files, and how status tells a live run from a killed one. */
class StateStoreTest {
    @TempDir
    Path dir;

    private Plan plan(String... names) {
        List<PlanEntry> entries = java.util.Arrays.stream(names).map(n -> new PlanEntry(n, "/etc/xen/" + n + ".cfg",
                "xl", null, null, null, n, 1, n.startsWith("skip"), Map.of(), null, null, null)).toList();
        return new Plan(Plan.VERSION, null, null, null, null, null, null, null, entries);
    }

    @Test
    void aClaimIsExclusiveUntilClosed() throws Exception {
        StateStore store = StateStore.beside(dir.resolve("p.yaml"));
        Optional<StateStore.Claim> first = store.tryClaim("a");
        assertTrue(first.isPresent());
        assertTrue(store.tryClaim("a").isEmpty(), "a second claim while the first is held");
        assertTrue(store.isHeld("a"));
        assertTrue(store.tryClaim("b").isPresent(), "other guests are independent");
        first.get().close();
        assertFalse(store.isHeld("a"));
        try (StateStore.Claim again = store.tryClaim("a").orElseThrow()) {
            assertTrue(store.isHeld("a"));
        }
    }

    @Test
    void statusFollowsStateFilesAndLocks() throws Exception {
        Path planFile = dir.resolve("p.yaml");
        StateStore store = StateStore.beside(planFile);
        Plan plan = plan("a", "b", "c", "skip-d");
        store.write(GuestState.running("a", "host:1", "2026-01-01T00:00:00Z"));
        store.write(new GuestState("b", GuestStatus.DONE, "host:1", "2026-01-01T00:00:00Z", "2026-01-01T00:00:09Z",
                9.0, List.of("/out/b.xml"), "b", List.of("w"), 12.5, true, 100L, null, null));
        PlanStatus held;
        try (StateStore.Claim claim = store.tryClaim("a").orElseThrow()) {
            held = PlanStatus.of(planFile, plan);
        }
        assertEquals(GuestStatus.RUNNING, held.guests().get(0).state());
        // The lock is free: the run that wrote "running" is gone (killed), so the guest is pending.
        PlanStatus after = PlanStatus.of(planFile, plan);
        PlanStatus.Guest a = after.guests().get(0);
        assertEquals(GuestStatus.PENDING, a.state());
        assertTrue(a.error().startsWith("interrupted: the run converting it (host:1)"), a.error());
        assertEquals(GuestStatus.DONE, after.guests().get(1).state());
        assertEquals(12.5, after.guests().get(1).bootSeconds());
        assertEquals(GuestStatus.PENDING, after.guests().get(2).state());
        assertEquals(GuestStatus.SKIPPED, after.guests().get(3).state());
        assertEquals(new PlanStatus.Totals(4, 2, 0, 1, 0, 1, 9.0, 100), after.totals());
        // Written atomically: no temporary file is left beside the state.
        try (var files = Files.list(store.dir())) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList());
        }
        String json = after.toJson();
        assertTrue(json.contains("\n      \"state\": \"pending\",\n") && json.contains("\"bootSeconds\": null"), json);
        assertTrue(json.contains("\"outputs\": [\n        \"/out/b.xml\"\n      ],"), json);
    }
}
