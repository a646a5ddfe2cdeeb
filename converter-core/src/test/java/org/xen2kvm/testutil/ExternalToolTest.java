package org.xen2kvm.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The tool list (testdata/tools.tsv) keeps up with the tests, and a missing tool names its package. */
class ExternalToolTest {
    /** The argument list of a call to ExternalTool.require. */
    private static final Pattern REQUIRE = Pattern.compile("ExternalTool\\.require\\(([^)]*)\\)");
    /** The program of a command run through ExternalTool.run, with or without a working folder. */
    private static final Pattern RUN = Pattern.compile(
            "ExternalTool\\.run\\((?:[^,()]+,\\s*)?List\\.of\\(\\s*\"([^\"]+)\"");
    private static final Pattern STRING = Pattern.compile("\"([^\"]+)\"");

    @Test
    void everyToolTheTestsRequireIsListed() throws IOException {
        Map<String, List<String>> used = toolsUsedByTests();
        assertTrue(used.size() > 10, "found too few tool uses to trust the scan: " + used.keySet());
        List<String> unlisted = new ArrayList<>();
        for (var e : used.entrySet()) {
            if (!ExternalTool.tools().containsKey(e.getKey())) {
                unlisted.add(e.getKey() + " (" + String.join(", ", e.getValue()) + ")");
            }
        }
        assertEquals(List.of(), unlisted, "tools the tests require but " + ExternalTool.TOOLS_FILE + " does not list");
    }

    @Test
    void requiringAnUnlistedToolFailsEvenLocally() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ExternalTool.require("no-such-tool-x2k"));
        assertTrue(e.getMessage().contains("no-such-tool-x2k is not listed in"), e.getMessage());
        assertTrue(e.getMessage().contains("tools.tsv"), e.getMessage());
    }

    @Test
    void aMissingToolNamesItsDebianPackage() {
        assertEquals("xmllint is not installed (Debian package libxml2-utils); ./test.sh installs it",
                ExternalTool.missingMessage(ExternalTool.listed("xmllint")));
    }

    @Test
    void virtXmlValidateRequiresTheXmllintItRuns() {
        assertEquals(List.of("xmllint"), ExternalTool.listed("virt-xml-validate").runs());
    }

    @Test
    void testShInstallsFromTheToolList() throws IOException {
        String script = Files.readString(ExternalTool.projectRoot().resolve("test.sh"), StandardCharsets.UTF_8);
        assertTrue(script.contains(ExternalTool.TOOLS_FILE), "test.sh must install the packages of "
                + ExternalTool.TOOLS_FILE);
        assertTrue(ExternalTool.tools().values().stream().anyMatch(t -> t.debianPackage().equals("maven")));
    }

    @Test
    void malformedAndRepeatedLinesAreRejectedWithTheirLine() {
        Path f = Path.of("tools.tsv");
        IllegalStateException shortLine = assertThrows(IllegalStateException.class,
                () -> ExternalTool.parse(f, List.of("# comment", "qemu-img\tqemu-utils")));
        assertTrue(shortLine.getMessage().contains("line 2"), shortLine.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> ExternalTool.parse(f, List.of("a\tp\twhy", "a\tq\twhy")));
        assertTrue(twice.getMessage().contains("a is listed twice"), twice.getMessage());
        IllegalStateException helper = assertThrows(IllegalStateException.class,
                () -> ExternalTool.parse(f, List.of("a\tp\twhy\tb")));
        assertTrue(helper.getMessage().contains("runs b"), helper.getMessage());
    }

    @Test
    void absolutePathsAreLookedUpAsFiles() {
        assertFalse(ExternalTool.locate("/nonexistent/x2k-tool").isPresent());
        assertTrue(ExternalTool.locate("sh").isPresent());
    }

    /** Program names passed to ExternalTool.require/run in both modules' test sources, with the files using them. */
    private static Map<String, List<String>> toolsUsedByTests() throws IOException {
        Path root = ExternalTool.projectRoot();
        Map<String, List<String>> used = new java.util.TreeMap<>();
        for (String module : List.of("converter-core", "converter-cli")) {
            Path src = root.resolve(module).resolve("src/test/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src)) {
                for (Path p : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(p, StandardCharsets.UTF_8);
                    if (p.getFileName().toString().startsWith("ExternalTool")) {
                        continue;
                    }
                    TreeSet<String> names = new TreeSet<>();
                    Matcher m = REQUIRE.matcher(text);
                    while (m.find()) {
                        Matcher s = STRING.matcher(m.group(1));
                        while (s.find()) {
                            names.add(s.group(1));
                        }
                    }
                    Matcher r = RUN.matcher(text);
                    while (r.find()) {
                        names.add(r.group(1));
                    }
                    for (String n : names) {
                        used.computeIfAbsent(n, k -> new ArrayList<>()).add(p.getFileName().toString());
                    }
                }
            }
        }
        return used;
    }
}
