package org.xen2kvm.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared corpus of real Xen and libvirt definitions, which is never copied into the
 * repository. In order: the environment variable {@code XEN2KVM_CORPUS} (for a worktree that
 * does not sit next to it), the system property {@code xen2kvm.sharedCorpus} (set by surefire to
 * {@code ../shared/corpus} beside the project), then {@code ../shared/corpus} from the project
 * root. Missing, the corpus tests fail under CI=true and skip elsewhere, saying where they looked.
 */
public final class SharedCorpus {
    /** Environment variable that overrides where the corpus is. */
    public static final String ENV = "XEN2KVM_CORPUS";
    /** System property surefire sets to the default location. */
    public static final String PROPERTY = "xen2kvm.sharedCorpus";

    private SharedCorpus() {
    }

    /** The corpus folder; skips the test (or fails it in CI) when it is absent. */
    public static Path root() {
        Path p = location();
        ExternalTool.requireThat(Files.isDirectory(p), "shared corpus folder " + p + " is absent; set " + ENV
                + " to the corpus folder (default ../shared/corpus beside the project)");
        return p;
    }

    /** Where the corpus should be, whether or not it exists. */
    public static Path location() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        return ExternalTool.projectRoot().resolve("../shared/corpus").normalize();
    }
}
