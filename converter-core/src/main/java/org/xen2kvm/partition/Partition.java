package org.xen2kvm.partition;

/**
 * One partition.
 *
 * @param number   Linux partition number ({@code 1}-{@code 4} primary, {@code 5}+ logical)
 * @param type     MBR type byte, or -1 for GPT
 * @param typeGuid GPT partition type GUID, or null for MBR
 * @param offset   start in bytes from the start of the disk
 * @param length   length in bytes
 */
public record Partition(int number, int type, String typeGuid, long offset, long length, boolean bootable) {
    /** MBR type of an extended partition container (CHS, LBA, Linux). */
    public boolean isExtendedContainer() {
        return type == 0x05 || type == 0x0F || type == 0x85;
    }

    public boolean isLinuxSwap() {
        return type == 0x82 || "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f".equals(typeGuid);
    }

    public boolean isLvm() {
        return type == 0x8E || "e6d6d379-f507-44c2-a23c-238f2a3df928".equals(typeGuid);
    }
}
