package org.xen2kvm.pipeline;

/** A step's name, timing group and whether it writes, given once in its constructor. */
abstract class PipelineStep implements Step {
    /** Writes outside the overlays (files, libvirt): a dry run skips the step. */
    static final boolean WRITES = true;
    /** Reads, or writes only into the overlays: a dry run runs the step. */
    static final boolean READS = false;

    private final String name;
    private final String phase;
    private final boolean writes;

    /**
     * @param name   short name for timings and logs ({@code copy-disks})
     * @param phase  the timing group of the result ({@code inspect}, {@code copy}), or null
     * @param writes {@link #WRITES} or {@link #READS}
     */
    PipelineStep(String name, String phase, boolean writes) {
        this.name = name;
        this.phase = phase;
        this.writes = writes;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String phase() {
        return phase;
    }

    @Override
    public final boolean writes() {
        return writes;
    }
}
