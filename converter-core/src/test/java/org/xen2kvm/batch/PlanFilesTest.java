package org.xen2kvm.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanFilesTest {
    @TempDir
    Path dir;

    static Plan sample() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("output-dir", "/var/lib/libvirt/images");
        defaults.put("connect", "qemu:///system");
        defaults.put("verify-boot", 300);
        defaults.put("start", true);
        defaults.put("bridge", List.of("xenbr0=br0"));
        PlanEntry web = new PlanEntry("web1", "/etc/xen/web1.cfg", "xm", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                List.of("00:16:3e:00:00:01"), List.of(new PlanDisk("/srv/xen/web1.img", "xvda", 8L << 30, 3L << 30, null),
                new PlanDisk("/srv/xen/web1-swap.img", "xvdb", null, null, "missing")), "web1-kvm", 2, false,
                Map.of("output-format", "raw", "start", false), List.of("ssh xenhost xm shutdown -w web1"),
                List.of("virsh -c qemu:///system autostart web1-kvm"), null);
        PlanEntry broken = new PlanEntry("broken", "/etc/xen/broken.cfg", "xl", null, null, null, "broken", 1, true,
                null, null, null, "/etc/xen/broken.cfg:3:1: unexpected text");
        return new Plan(Plan.VERSION, List.of("/etc/xen"), defaults, List.of("logger converting $XEN2KVM_GUEST"),
                List.of(), 600, List.of("duplicate MAC 00:16:3e:00:00:01: web1, web2"),
                List.of(new SkippedFile("/etc/xen/xl.conf", "sets no name or disk")), List.of(web, broken));
    }

    @Test
    void yamlRoundTrip() throws Exception {
        Plan plan = sample();
        Path file = dir.resolve("plan.yaml");
        PlanFiles.write(plan, file);
        Plan back = PlanFiles.read(file);
        assertEquals(plan, back);
        // What people edit: plain keys, one guest per list item, no document marker or folding.
        String text = Files.readString(file);
        assertTrue(text.startsWith("version: 1\n"), text);
        assertTrue(text.contains("\n  - name: web1\n"), text);
        assertTrue(text.contains("    wave: 2\n"), text);
        assertTrue(text.contains("    pre:\n      - ssh xenhost xm shutdown -w web1\n"), text);
        assertTrue(text.contains("/etc/xen/broken.cfg:3:1: unexpected text"), text);
        // Writing again gives the same bytes: a plan survives any number of round trips.
        assertEquals(text, PlanFiles.toYaml(back));
    }

    @Test
    void readsWhatPeopleWrite() {
        Plan plan = PlanFiles.fromYaml("hand.yaml", """
                version: 1
                defaults:
                  output-dir: /srv/kvm   # comments are fine
                  start: yes
                pre: [ "echo $XEN2KVM_GUEST" ]
                guests:
                  - name: a
                    source: /etc/xen/a.cfg
                    wave: 3
                    options: { bridge: [xenbr0=br0, xenbr1=br1] }
                  - name: b
                    source: /etc/xen/b.cfg
                """);
        assertEquals(2, plan.guests().size());
        assertEquals(3, plan.guests().get(0).wave());
        assertEquals(0, plan.guests().get(1).wave());
        assertEquals("a", plan.guests().get(0).targetName());
        assertEquals(List.of("xenbr0=br0", "xenbr1=br1"), plan.guests().get(0).options().get("bridge"));
        assertEquals(Plan.DEFAULT_HOOK_TIMEOUT_SECONDS, plan.hookTimeout());
        assertEquals(List.of("--output-dir=/srv/kvm", "--start", "--bridge=xenbr0=br0", "--bridge=xenbr1=br1", "--",
                "/etc/xen/a.cfg"), ConvertArguments.of(plan, plan.guests().get(0), Map.of()));
    }

    @Test
    void refusesBadPlansNamingThePlace() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("version: 1\nguests:\n  - name: a\n    source: /a\n    wav: 2\n", "Unrecognized field \"wav\"");
        bad.put("version: 2\nguests: []\n", "version 2");
        bad.put("guests: []\n", "version 0");
        bad.put("version: 1\nguests:\n  - name: a\n    source: /a\n  - name: a\n    source: /b\n", "appears twice");
        bad.put("version: 1\nguests:\n  - name: ../etc\n    source: /a\n", "'../etc'");
        bad.put("version: 1\nguests:\n  - name: a\n", "no source");
        bad.put("version: 1\ndefaults:\n  bridge: {xenbr0: br0}\n", "bridge");
        bad.put("version: 1\ndefaults:\n  --start: true\n", "not an option name");
        bad.put("version: 1\nguests:\n  - name: a\n    source: /a\n    options: [1, 2]\n", "line 5 column");
        bad.put("version: 1\nhookTimeoutSeconds: 0\n", "hookTimeoutSeconds");
        bad.put("version: 1\nguests: {\n", "not a valid plan");
        bad.forEach((yaml, expected) -> {
            BadPlanException e = assertThrows(BadPlanException.class, () -> PlanFiles.fromYaml("p.yaml", yaml), yaml);
            assertTrue(e.getMessage().startsWith("p.yaml"), e.getMessage());
            assertTrue(e.getMessage().contains(expected), expected + " not in: " + e.getMessage());
        });
    }

    @Test
    void reportNamesDropTheYamlExtension() {
        assertEquals(dir.resolve("host1.report.md"), PlanReport.path(dir.resolve("host1.yaml"), "md"));
        assertEquals(dir.resolve("host1.report.json"), PlanReport.path(dir.resolve("host1.yml"), "json"));
        assertEquals(dir.resolve("plan.txt.report.md"), PlanReport.path(dir.resolve("plan.txt"), "md"));
        assertEquals(dir.resolve("host1.yaml.d"), StateStore.beside(dir.resolve("host1.yaml")).dir());
    }
}
