package org.xen2kvm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.xen2kvm.testutil.SharedCorpus;
import org.xen2kvm.config.read.GuestDefinitionReader;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;

/**
 * Real xl/xm files must not draw false "unknown key" warnings: over the whole corpus, the only
 * such warnings are the ones listed here, each for a key that is no xl.cfg(5) or xm key.
 */
class CorpusUnknownKeyTest {
    /** Corpus path -> the unknown-key warnings it draws (folder removed), with why they are right. */
    static final Map<String, List<String>> EXPECTED = Map.of(
            // 'home' is a xen-tools template variable pasted into the guest file; xl ignores it too.
            "misc/Babrakov-xen/krs23.ru.cfg", List.of(":21: unknown key 'home' ignored"));

    @Test
    void onlyRealTyposOrForeignKeysAreWarned() throws IOException {
        Path root = SharedCorpus.root();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        Map<String, List<String>> found = new TreeMap<>();
        int xlFiles = 0;
        for (Path file : files) {
            SourceGuest g;
            try {
                g = GuestDefinitionReader.read(file, null);
            } catch (ConfigParseException e) {
                continue;
            }
            if (g.origin() != ConfigFormat.XL && g.origin() != ConfigFormat.XM) {
                continue;
            }
            xlFiles++;
            List<String> unknown = g.warnings().stream().filter(w -> w.contains(": unknown key '"))
                    .map(w -> w.substring(file.toString().length())).toList();
            if (!unknown.isEmpty()) {
                found.put(root.relativize(file).toString(), unknown);
            }
        }
        found.forEach((k, v) -> System.out.println(k + " -> " + v));
        assertEquals(new TreeMap<>(EXPECTED), found, "unknown-key warnings over " + xlFiles + " xl/xm files");
    }
}
