package org.xen2kvm.guest;

/**
 * The guest's distribution.
 *
 * @param id         os-release {@code ID} ({@code debian}, {@code centos}, {@code rhel}, {@code sles}), or a
 *                   best guess from a legacy release file
 * @param versionId  os-release {@code VERSION_ID} ({@code 12}, {@code 5.11}), or empty when unknown
 * @param prettyName a human name for messages
 */
public record OsInfo(String id, String versionId, String prettyName, OsFamily family) {

    /** Major version number, or -1 when the version is unknown. */
    public int majorVersion() {
        StringBuilder sb = new StringBuilder();
        for (char c : versionId.toCharArray()) {
            if (!Character.isDigit(c) || sb.length() >= 6) {
                break;
            }
            sb.append(c);
        }
        return sb.length() == 0 ? -1 : Integer.parseInt(sb.toString());
    }
}
