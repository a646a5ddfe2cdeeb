package org.xen2kvm.guest;

/**
 * The guest's distribution.
 *
 * @param id             os-release {@code ID} ({@code debian}, {@code centos}, {@code rhel}, {@code sles}), or a
 *                       best guess from a legacy release file
 * @param versionId      os-release {@code VERSION_ID} ({@code 12}, {@code 5.11}), or empty when unknown
 * @param prettyName     a human name for messages (os-release {@code PRETTY_NAME}, or the release file's first line)
 * @param family         how the distribution boots, names devices and configures the network
 * @param releaseFile    the file the distribution was recognised by ({@code /etc/redhat-release}), or empty
 * @param packageManager the guest's package database
 */
public record OsInfo(String id, String versionId, String prettyName, OsFamily family, String releaseFile,
        PackageManager packageManager) {

    /** A distribution known without its release file or package database (tests, Windows). */
    public OsInfo(String id, String versionId, String prettyName, OsFamily family) {
        this(id, versionId, prettyName, family, "", PackageManager.UNKNOWN);
    }

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

    /** The same distribution as found in {@code file}, managed by {@code pm}. */
    OsInfo withSource(String file, PackageManager pm) {
        return new OsInfo(id, versionId, prettyName, family, file, pm);
    }
}
