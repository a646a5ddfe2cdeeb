package org.xen2kvm.config;

import org.xen2kvm.config.read.GuestDefinitionReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.xen2kvm.xen.ConfigFormat;
import org.xen2kvm.xen.SourceGuest;
import org.xen2kvm.xen.SourceGuestJson;

/**
 * Golden-file tests over a fixture folder {@code org/xen2kvm/config/<reader>/}:
 * <ul>
 * <li>{@code NAME.EXT} with {@code NAME.json}: the reader's output as {@link SourceGuestJson};
 *     an optional {@code NAME.warnings} lists the expected warnings, one a line, with the
 *     fixture folder removed from file names;</li>
 * <li>{@code NAME-fail.EXT} with {@code NAME-fail.err}: the exact one-line
 *     {@link ConfigParseException} message, folder removed.</li>
 * </ul>
 */
final class GoldenFixtures {
    private GoldenFixtures() {
    }

    static Path folder(String reader) {
        try {
            // The XVA reader moved to its own package, its fixtures with it.
            String folder = reader.equals("xva") ? "/org/xen2kvm/xva" : "/org/xen2kvm/config/" + reader;
            return Path.of(GoldenFixtures.class.getResource(folder).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<DynamicTest> tests(String reader, String extension, ConfigFormat expectedOrigin) throws IOException {
        Path dir = folder(reader);
        List<Path> inputs;
        try (Stream<Path> list = Files.list(dir)) {
            inputs = list.filter(p -> p.getFileName().toString().endsWith("." + extension)).sorted().toList();
        }
        assertTrue(!inputs.isEmpty(), "no ." + extension + " fixtures in " + dir);
        return inputs.stream().map(input -> {
            String file = input.getFileName().toString();
            String base = file.substring(0, file.length() - extension.length() - 1);
            if (base.endsWith("-fail")) {
                return DynamicTest.dynamicTest(file, () -> {
                    ConfigParseException e = assertThrows(ConfigParseException.class,
                            () -> GuestDefinitionReader.read(input, null));
                    String expected = Files.readString(dir.resolve(base + ".err"), StandardCharsets.UTF_8).strip();
                    assertEquals(expected, relative(dir, e.getMessage()));
                    assertEquals(input.toString(), e.file());
                    assertTrue(expected.startsWith(file + ":" + e.line() + ":" + e.column() + ": "),
                            "line/column accessors agree with the message");
                });
            }
            return DynamicTest.dynamicTest(file, () -> {
                SourceGuest g = GuestDefinitionReader.read(input, null);
                if (expectedOrigin != null && !base.startsWith("xm-")) {
                    assertEquals(expectedOrigin, g.origin(), "origin");
                } else if (base.startsWith("xm-")) {
                    assertEquals(ConfigFormat.XM, g.origin(), "origin of an xm-* fixture");
                }
                String expected = Files.readString(dir.resolve(base + ".json"), StandardCharsets.UTF_8).strip();
                assertEquals(expected, SourceGuestJson.toJson(g));
                Path warnings = dir.resolve(base + ".warnings");
                List<String> actual = g.warnings().stream().map(w -> relative(dir, w)).toList();
                if (Files.exists(warnings)) {
                    assertEquals(Files.readAllLines(warnings).stream().filter(l -> !l.isBlank()).toList(), actual);
                } else {
                    assertEquals(List.of(), actual, "unexpected warnings");
                }
            });
        });
    }

    static String relative(Path dir, String message) {
        return message.replace(dir.toString() + "/", "");
    }
}
