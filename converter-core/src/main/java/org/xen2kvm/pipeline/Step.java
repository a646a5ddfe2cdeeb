package org.xen2kvm.pipeline;

import java.io.IOException;

/**
 * One stage of a conversion. A step reads what earlier steps produced from the run's
 * {@link Facts}, adds its own result, and registers with the run's {@link Cleanup}
 * whatever it creates, so that a failure later on removes it.
 */
public interface Step {
    /** Short name for timings and logs ({@code open-disks}, {@code copy-disks}). */
    String name();

    /**
     * The timing group the step counts towards in the result ({@code read+plan},
     * {@code inspect}, {@code edit}, {@code copy}, {@code register}), or null for none.
     */
    default String phase() {
        return null;
    }

    /** True when the step writes outside the overlays (files, libvirt): a dry run skips it. */
    default boolean writes() {
        return false;
    }

    /**
     * Does the step's work.
     *
     * @throws IOException on an I/O error or a corrupt image
     */
    void run(ConversionRun run) throws IOException;
}
