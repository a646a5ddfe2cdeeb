package org.xen2kvm.config;

import org.xen2kvm.config.read.GuestDefinitionReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.testutil.SharedCorpus;

/**
 * Every file of the shared corpus must either read or be rejected with a
 * {@link ConfigParseException}: never another exception, never a hang. The files expected to
 * be rejected are listed with the reason (docs/config-formats.md has the same list); a file
 * changing side fails the test, so the list stays true.
 */
class CorpusRobustnessTest {
    /** The corpus's own notes, not guest definitions. */
    private static final Set<String> META = Set.of("SOURCE.txt", "README.md", "CASES.tsv", "COMMITS.tsv");

    /** Corpus path -> a fragment of the expected rejection message. */
    static final Map<String, String> EXPECTED_REJECTIONS = Map.ofEntries(
            Map.entry("misc/Babrakov-xen/bak/ubu.cfg", "character '-' is not allowed in a key name"),
            Map.entry("libvirt/historical-sexpr2xmldata/sexpr2xml-bridge-ipaddr.sexpr", "'(' is never closed"),
            Map.entry("libvirt/historical-sexpr2xmldata/sexpr2xml-net-routed.sexpr", "'(' is never closed"),
            Map.entry("libvirt/historical-sexpr2xmldata/sexpr2xml-pv-vfb-new.sexpr", "unbalanced ')'"),
            Map.entry("xen/historical-xend/sxp-host-config/xend-config.sxp", "not a xend domain S-expression"),
            Map.entry("xen/historical-xend/sxp-host-config/xend-pci-permissive.sxp", "not a xend domain S-expression"),
            Map.entry("xen/historical-xend/sxp-host-config/xend-pci-quirks.sxp", "not a xend domain S-expression"));

    @Test
    void everyCorpusFileReadsOrIsRejectedCleanly() throws IOException {
        Path root = SharedCorpus.root();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !META.contains(p.getFileName().toString()))
                    .sorted().toList();
        }
        Map<String, String> outcome = new TreeMap<>();
        for (Path file : files) {
            String rel = root.relativize(file).toString();
            String result = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try {
                    SourceGuest g = GuestDefinitionReader.read(file, null);
                    return "read (" + g.origin().label() + ")";
                } catch (ConfigParseException e) {
                    return "rejected: " + e.getMessage();
                }
            }, rel + " took too long");
            outcome.put(rel, result);
        }
        outcome.forEach((k, v) -> System.out.println(k + " -> " + v));
        StringBuilder wrong = new StringBuilder();
        for (Map.Entry<String, String> e : outcome.entrySet()) {
            String expected = expectedFragment(e.getKey());
            boolean rejected = e.getValue().startsWith("rejected");
            if (expected == null && rejected) {
                wrong.append("unexpectedly rejected ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            } else if (expected != null && (!rejected || !e.getValue().contains(expected))) {
                wrong.append("expected rejection '").append(expected).append("' for ").append(e.getKey())
                        .append(", got ").append(e.getValue()).append('\n');
            }
        }
        assertEquals("", wrong.toString());
    }

    private static String expectedFragment(String rel) {
        if (rel.startsWith("libvirt/libxlxml2domconfigdata/") && rel.endsWith(".json")) {
            return "JSON is not a supported guest definition";
        }
        return EXPECTED_REJECTIONS.get(rel);
    }
}
