package org.xen2kvm.pipeline;

import org.xen2kvm.disk.write.ProgressEvent;

/** What the pipeline reports while it works; the CLI decides how to show it. */
public interface ConversionListener {
    ConversionListener NONE = new ConversionListener() {
    };

    /** A stage begins ({@code read}, {@code plan}, {@code inspect}, {@code copy}, ...). */
    default void stage(String name, String detail) {
    }

    /** Something the user should know; conversion continues. */
    default void warning(String message) {
    }

    /** Bytes copied so far for one disk. */
    default void progress(ProgressEvent event) {
    }
}
