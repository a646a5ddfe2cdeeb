package org.xen2kvm.image.write;

import java.time.Duration;

/**
 * What a copy did.
 *
 * @param virtualSize  size of the disk as the guest sees it
 * @param bytesWritten bytes written to the output file (data and metadata)
 * @param dataBytes    guest bytes that were not zero and so were stored
 * @param elapsed      wall time of the copy
 */
public record CopyResult(long virtualSize, long bytesWritten, long dataBytes, Duration elapsed) {
}
