package org.xen2kvm.config.xl;

/** One effective {@code key = value} of a config file, with where the key was written. */
public record XlSetting(String key, XlValue value, int line, int column) {
}
