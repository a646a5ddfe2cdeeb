package org.xen2kvm.libvirt;

import java.util.UUID;

/** Unique names and minimal domain XML for the libvirt tests. */
final class TestDomains {
    private TestDomains() {
    }

    static String uniqueName() {
        return "xen2kvm-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String uuid() {
        return UUID.randomUUID().toString();
    }

    /** The smallest domain the test driver accepts. */
    static String testDriverXml(String name, String uuid) {
        return "<domain type='test'>\n"
                + "  <name>" + name + "</name>\n"
                + "  <uuid>" + uuid + "</uuid>\n"
                + "  <memory unit='KiB'>65536</memory>\n"
                + "  <vcpu>1</vcpu>\n"
                + "  <os><type arch='x86_64'>hvm</type></os>\n"
                + "</domain>\n";
    }
}
