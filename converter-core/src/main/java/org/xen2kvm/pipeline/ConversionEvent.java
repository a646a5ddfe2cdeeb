package org.xen2kvm.pipeline;

import java.time.Duration;
import org.xen2kvm.image.ProgressEvent;

/** What the pipeline reports while it works; the CLI decides how to show each kind. */
public sealed interface ConversionEvent {
    /** A stage the user sees begins ({@code read}, {@code inspect}, {@code edit}, {@code copy}, ...). */
    record StageStarted(String stage, String detail) implements ConversionEvent {
    }

    /** A step of the pipeline finished. */
    record StepFinished(String step, Duration took) implements ConversionEvent {
    }

    /** Something the user should know; the conversion goes on. */
    record Warning(String message) implements ConversionEvent {
    }

    /** Bytes copied so far for one disk. */
    record Progress(ProgressEvent progress) implements ConversionEvent {
    }
}
