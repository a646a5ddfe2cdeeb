package org.xen2kvm.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.xen2kvm.testutil.Fuzz;

/**
 * {@code plan create} on a hostile file: whatever the bytes, the scan either leaves the file
 * out or lists it (read, or failed with its error), never throws, and the plan it makes reads
 * back from its own YAML unchanged (an error message with odd characters must not make a plan
 * that cannot be run).
 */
class PlanFuzzTest {
    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void scanAndPlan(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            Path file = Fuzz.file("guest.cfg", data);
            DefinitionScanner.Result scan = DefinitionScanner.scan(List.of(file));
            assertEquals(1, scan.candidates().size() + scan.skipped().size(), "the file is listed or left out");
            Plan plan = PlanBuilder.build(List.of(file), scan, Map.of(), null);
            assertEquals(plan, PlanFiles.fromYaml("fuzz.yaml", PlanFiles.toYaml(plan)));
        }, IOException.class);
    }
}
