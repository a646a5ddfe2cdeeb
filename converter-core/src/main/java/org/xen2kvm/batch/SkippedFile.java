package org.xen2kvm.batch;

/** A file a plan's scan looked at and left out, and why (kept in the plan so nothing goes unseen). */
public record SkippedFile(String path, String reason) {
}
