package org.xen2kvm.batch;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One disk of a planned guest, as found when the plan was made.
 *
 * @param path      host path as the definition names it
 * @param vdev      the guest device ({@code xvda})
 * @param sizeBytes virtual size, or null when the image could not be opened
 * @param dataBytes the bytes its copy writes (from the allocation map), the file size when the
 *                  map could not be read, or null when the disk is missing
 * @param note      why a figure is missing or approximate, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanDisk(String path, String vdev, Long sizeBytes, Long dataBytes, String note) {
}
