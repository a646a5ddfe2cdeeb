package org.xen2kvm.initramfs;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds Xen block device names (/dev/xvda1, xvdb) in initramfs settings and maps them to the KVM guest's. */
final class XenDeviceNames {
    /** A Xen virtual disk or partition, with or without /dev/ (nash's mkrootdev takes "xvda1"). */
    static final Pattern XEN_DEVICE = Pattern.compile("(?<![\\w/])(/dev/)?xvd[a-z]+[0-9]*\\b");

    private XenDeviceNames() {
    }

    static boolean isXen(String value) {
        return XEN_DEVICE.matcher(value).find();
    }

    /**
     * {@code value} with each Xen device replaced by its KVM name, or empty when one of them has
     * no KVM name.
     */
    static Optional<String> map(String value, Function<String, Optional<String>> deviceMap) {
        Matcher m = XEN_DEVICE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            boolean bare = m.group(1) == null;
            String dev = bare ? "/dev/" + m.group() : m.group();
            Optional<String> mapped = deviceMap.apply(dev);
            if (mapped.isEmpty()) {
                return Optional.empty();
            }
            String to = mapped.get();
            if (bare && to.startsWith("/dev/")) {
                to = to.substring("/dev/".length());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(to));
        }
        m.appendTail(out);
        return Optional.of(out.toString());
    }
}
