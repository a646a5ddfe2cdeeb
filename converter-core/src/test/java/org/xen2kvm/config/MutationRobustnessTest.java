package org.xen2kvm.config;

import org.xen2kvm.config.read.GuestDefinitionReader;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile-input check: mutated copies of every golden fixture (bytes flipped, deleted,
 * duplicated, cut) must read or fail with {@link ConfigParseException}, never another
 * exception and never hang. The seed is fixed, so a failure is reproducible.
 */
class MutationRobustnessTest {
    private static final long SEED = 0x58656e32L;
    private static final int MUTANTS_PER_FILE = 40;
    private static final byte[] INTERESTING = "()[]<>'\"\\,;:=#+-%\n\t0x9 \0&".getBytes();

    @TempDir
    Path tmp;

    @Test
    void mutatedFixturesNeverEscapeAsOtherExceptions() throws IOException {
        Random rnd = new Random(SEED);
        List<Path> fixtures;
        try (Stream<Path> s = Stream.of("xl", "sxp", "libvirt", "xva").flatMap(r -> list(GoldenFixtures.folder(r)))) {
            fixtures = s.filter(p -> !p.toString().endsWith(".json") && !p.toString().endsWith(".err")
                    && !p.toString().endsWith(".warnings")).sorted().toList();
        }
        int n = 0;
        for (Path fixture : fixtures) {
            byte[] original = Files.readAllBytes(fixture);
            for (int i = 0; i < MUTANTS_PER_FILE; i++) {
                byte[] mutant = mutate(original, rnd);
                Path p = tmp.resolve("m" + (n++) + "-" + fixture.getFileName());
                Files.write(p, mutant);
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                    try {
                        GuestDefinitionReader.read(p, null);
                    } catch (ConfigParseException expected) {
                        // a clean refusal
                    } catch (RuntimeException e) {
                        fail("mutant of " + fixture.getFileName() + " (" + p + ") threw " + e, e);
                    }
                }, () -> "mutant of " + fixture.getFileName() + " hung");
                Files.delete(p);
            }
        }
    }

    private static Stream<Path> list(Path dir) {
        try {
            // Fixture files only: the xva folder also holds the fuzz targets' input folders.
            return Files.list(dir).filter(Files::isRegularFile).toList().stream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int pos = rnd.nextInt(b.length);
            switch (rnd.nextInt(4)) {
                case 0 -> b[pos] = INTERESTING[rnd.nextInt(INTERESTING.length)];
                case 1 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, pos);
                    System.arraycopy(b, pos + 1, c, pos, b.length - pos - 1);
                    b = c;
                }
                case 2 -> {
                    int len = Math.min(b.length - pos, 1 + rnd.nextInt(16));
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, pos + len);
                    System.arraycopy(b, pos, c, pos + len, b.length - pos);
                    b = c;
                }
                default -> b = java.util.Arrays.copyOf(b, pos);
            }
        }
        return b;
    }
}
