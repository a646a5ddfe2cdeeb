package org.xen2kvm.image;

import org.xen2kvm.image.ProgressEvent;

/** Receives progress events; core code emits them, the CLI decides how to show them. */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores every event. */
    ProgressListener NONE = e -> { };

    void progress(ProgressEvent event);
}
