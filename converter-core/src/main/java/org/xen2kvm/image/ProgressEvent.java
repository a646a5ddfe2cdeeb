package org.xen2kvm.image;

/**
 * Progress of a long operation.
 *
 * @param bytesDone      bytes of the source handled so far (skipped holes count as done)
 * @param bytesTotal     bytes to handle in all
 * @param bytesPerSecond average rate since the start
 * @param what           what is being done, for display (e.g. the destination name)
 */
public record ProgressEvent(long bytesDone, long bytesTotal, double bytesPerSecond, String what) {

    /** True for the last event of an operation. */
    public boolean complete() {
        return bytesDone >= bytesTotal;
    }
}
