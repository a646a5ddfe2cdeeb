package org.xen2kvm.pipeline;

/** Receives the pipeline's events; core code never prints. */
@FunctionalInterface
public interface ConversionListener {
    /** Ignores every event. */
    ConversionListener NONE = e -> { };

    void on(ConversionEvent event);
}
