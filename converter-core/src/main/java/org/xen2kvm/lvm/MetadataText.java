package org.xen2kvm.lvm;

/**
 * The committed metadata text read from one metadata area: where it was (the device, the area
 * start and the byte offset of the text) and the text itself, its checksum verified.
 */
public record MetadataText(PvLabel pv, long areaStart, long textOffset, String text) {
}
