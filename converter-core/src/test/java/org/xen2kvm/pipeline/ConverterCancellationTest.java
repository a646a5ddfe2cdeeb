package org.xen2kvm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xen2kvm.Cancellation;
import org.xen2kvm.CancelledException;
import org.xen2kvm.testutil.Hashes;

/**
 * A conversion cancelled part-way (as a SIGTERM does through the CLI) is undone like a failed
 * one: none of its outputs, no marker, no directory it made, the source unchanged; and a
 * cancellation between steps stops before the next step runs.
 */
class ConverterCancellationTest {

    @Test
    void cancelledDuringTheCopyLeavesNothingAndTheSourceUnchanged(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        TreeMap<String, String> before = hashes(dir.resolve("xen"));
        Path out = dir.resolve("kvm");
        Cancellation cancellation = new Cancellation();
        List<String> finished = new ArrayList<>();
        ConversionListener listener = ev -> {
            if (ev instanceof ConversionEvent.StageStarted s && s.stage().equals("copy")) {
                cancellation.cancel("SIGTERM");
            } else if (ev instanceof ConversionEvent.StepFinished f) {
                finished.add(f.step());
            }
        };
        CancelledException e = assertThrows(CancelledException.class,
                () -> Converter.run(RunMarkerTest.request(cfg, out), listener, cancellation));
        assertTrue(e.getMessage().startsWith("interrupted (SIGTERM) while copying "), e.getMessage());
        assertTrue(finished.contains("copy-boot-files"), finished.toString());
        assertFalse(finished.contains("copy-disks"), finished.toString());
        assertFalse(Files.exists(out), "the output directory the run made is still there");
        assertEquals(before, hashes(dir.resolve("xen")));
    }

    @Test
    void cancelledBetweenStepsStopsBeforeTheNextAndRemovesWhatEarlierStepsWrote(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = Files.createDirectories(dir.resolve("kvm"));
        Files.writeString(out.resolve("notes.txt"), "not the run's");
        Cancellation cancellation = new Cancellation();
        List<String> finished = new ArrayList<>();
        ConversionListener listener = ev -> {
            if (ev instanceof ConversionEvent.StepFinished f) {
                finished.add(f.step());
                if (f.step().equals("write-domain-xml")) {
                    cancellation.cancel("SIGINT");
                }
            }
        };
        CancelledException e = assertThrows(CancelledException.class,
                () -> Converter.run(RunMarkerTest.request(cfg, out), listener, cancellation));
        assertEquals("interrupted (SIGINT) while about to run step register", e.getMessage());
        assertEquals("write-domain-xml", finished.get(finished.size() - 1));
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(out.resolve("notes.txt")), files.toList(), "the run's disks, XML or marker remain");
        }
    }

    @Test
    void aRunPastItsRegistrationFinishesDespiteACancellation(@TempDir Path dir) throws Exception {
        Path cfg = ConverterTest.demoGuest(dir.resolve("xen"));
        Path out = dir.resolve("kvm");
        ConversionRun run = new ConversionRun(RunMarkerTest.request(cfg, out), ConversionListener.NONE,
                new Cancellation());
        List<Step> steps = new ArrayList<>(Steps.conversion());
        int finish = steps.size() - 1;
        assertEquals("finish", steps.get(finish).name());
        // Stands for RegisterDomain's commit (no libvirt here): from then on the run must finish.
        steps.add(finish, new Step() {
            @Override
            public String name() {
                return "committed";
            }

            @Override
            public void run(ConversionRun r) {
                r.put(Facts.REGISTERED, new Registered("demo", null));
                r.cancellation().cancel("SIGTERM");
            }
        });
        StepRunner.run(steps, run);
        assertTrue(Files.isRegularFile(out.resolve("demo.xml")));
        assertFalse(Files.exists(out.resolve("demo.xen2kvm-incomplete")), "the marker of a finished run remains");
    }

    private static TreeMap<String, String> hashes(Path dir) throws Exception {
        TreeMap<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Hashes.sha256(p));
            }
        }
        return m;
    }
}
