package org.xen2kvm.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvertArgumentsTest {
    private static Plan plan(Map<String, Object> defaults, PlanEntry... guests) {
        return new Plan(Plan.VERSION, null, defaults, null, null, null, null, null, List.of(guests));
    }

    private static PlanEntry entry(String name, String target, Map<String, Object> options) {
        return new PlanEntry(name, "/etc/xen/" + name + ".cfg", "xm", null, null, null, target, 1, false, options,
                null, null, null);
    }

    @Test
    void guestOptionsOverDefaultsAnyOptionName() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("output-dir", "/srv/kvm");
        defaults.put("start", true);
        defaults.put("bridge", List.of("xenbr0=br0", "xenbr1=br1"));
        defaults.put("verify-boot", 120);
        // An option this code has never heard of travels all the same.
        defaults.put("install-kernel", "/srv/kernels/vmlinuz");
        Map<String, Object> own = new LinkedHashMap<>();
        own.put("start", false);
        own.put("output-format", "raw");
        PlanEntry e = entry("web1", "web1-kvm", own);
        assertEquals(List.of("--output-dir=/srv/kvm", "--bridge=xenbr0=br0", "--bridge=xenbr1=br1",
                        "--verify-boot=120", "--install-kernel=/srv/kernels/vmlinuz", "--output-format=raw",
                        "--name=web1-kvm", "--", "/etc/xen/web1.cfg"),
                ConvertArguments.of(plan(defaults, e), e, Map.of()));
        assertEquals(List.of("--output-dir=/srv/kvm", "--start", "--bridge=xenbr0=br0", "--bridge=xenbr1=br1",
                        "--verify-boot=120", "--install-kernel=/srv/kernels/vmlinuz", "--dry-run",
                        "--name=db", "--", "/etc/xen/db.cfg"),
                ConvertArguments.of(plan(defaults), entry("db", "db", Map.of()), Map.of("dry-run", true)));
    }

    @Test
    void reservedOptionsAreRefused() {
        for (String key : List.of("name", "dry-run", "json", "progress")) {
            PlanEntry e = entry("a", null, Map.of(key, true));
            BadPlanException ex = assertThrows(BadPlanException.class,
                    () -> ConvertArguments.of(plan(Map.of()), e, Map.of()));
            assertTrue(ex.getMessage().contains(key), ex.getMessage());
            assertThrows(BadPlanException.class, () -> ConvertArguments.of(plan(Map.of(key, "x")),
                    entry("a", null, Map.of()), Map.of()));
        }
    }
}
