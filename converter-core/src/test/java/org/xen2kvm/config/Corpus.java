package org.xen2kvm.config;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared corpus (never copied into the repo); tests skip, saying why, without it. */
final class Corpus {
    private Corpus() {
    }

    static Path root() {
        String prop = System.getProperty("xen2kvm.sharedCorpus");
        assumeTrue(prop != null, "system property xen2kvm.sharedCorpus is not set (run through Maven surefire)");
        Path p = Path.of(prop).normalize();
        assumeTrue(Files.isDirectory(p), "shared corpus folder " + p + " is absent; corpus tests skipped");
        return p;
    }
}
