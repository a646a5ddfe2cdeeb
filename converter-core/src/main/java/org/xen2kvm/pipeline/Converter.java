package org.xen2kvm.pipeline;

import java.io.IOException;
import java.util.List;
import org.xen2kvm.Cancellation;
import org.xen2kvm.CancelledException;
import org.xen2kvm.Xen2KvmException;

/**
 * Runs one conversion: the steps of {@link Steps#conversion()} in order. On failure every
 * file this run created is removed and libvirt is left as it was; the source is never
 * written in any case.
 */
public final class Converter {
    private Converter() {
    }

    /**
     * Converts a guest (or, for a dry run, plans it and shows the guest edits), stopping when
     * this process is interrupted ({@link Cancellation#process()}).
     *
     * @throws CancelledException when it was interrupted; the run is undone as after a failure
     * @throws IOException      on an I/O error or a corrupt image
     * @throws Xen2KvmException on bad input or a libvirt failure
     */
    public static ConversionResult run(ConversionRequest request, ConversionListener listener) throws IOException {
        return run(request, listener, Cancellation.process());
    }

    /**
     * Converts a guest, stopping when {@code cancellation} is set.
     *
     * @throws CancelledException when it was set; the run is undone as after a failure
     * @throws IOException        on an I/O error or a corrupt image
     * @throws Xen2KvmException   on bad input or a libvirt failure
     */
    public static ConversionResult run(ConversionRequest request, ConversionListener listener,
            Cancellation cancellation) throws IOException {
        ConversionRun run = new ConversionRun(request, listener, cancellation);
        StepRunner.run(Steps.conversion(), run);
        Registered registered = run.find(Facts.REGISTERED).orElse(null);
        return new ConversionResult(run.get(Facts.PLAN), run.find(Facts.INSPECTED).orElse(null),
                run.find(Facts.EDITS).orElse(null), run.get(Facts.DOMAIN_XML),
                request.dryRun() ? List.of() : run.cleanup().outputs().files(),
                registered == null ? null : registered.name(), registered == null ? null : registered.boot(),
                run.timings(), run.find(Facts.SPACE).orElse(null),
                run.find(Facts.INSTALLED_KERNELS).map(InstalledKernels::summary).orElse(List.of()));
    }
}
