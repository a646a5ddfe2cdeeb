package org.xen2kvm.guest;

/**
 * One mount line of {@code /etc/fstab} (fstab(5)); fields are kept as written, octal
 * escapes such as {@code \040} included.
 *
 * @param lineNumber 1-based line in the file
 * @param dump       fifth field, 0 when absent
 * @param pass       sixth field, 0 when absent
 */
public record FstabEntry(int lineNumber, String spec, String mountPoint, String type, String options, int dump, int pass) {
}
