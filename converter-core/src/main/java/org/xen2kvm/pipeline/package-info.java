/**
 * The conversion pipeline: an ordered list of steps ({@link Steps}), one class each, run by
 * {@link StepRunner} over a typed context ({@link ConversionRun}, {@link Facts}). A dry run
 * skips the steps that write; a failure undoes what the steps registered with
 * {@link Cleanup}. Emits {@link ConversionEvent}s; never prints.
 */
package org.xen2kvm.pipeline;
