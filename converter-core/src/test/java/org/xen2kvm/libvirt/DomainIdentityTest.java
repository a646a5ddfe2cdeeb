package org.xen2kvm.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DomainIdentityTest {
    @Test
    void readsNameAndLowerCasedUuid() {
        DomainIdentity id = DomainIdentity.of("<domain type='kvm'><name> web1 </name>"
                + "<uuid>0F0E0D0C-0B0A-0908-0706-050403020100</uuid><memory>1</memory></domain>");
        assertEquals(new DomainIdentity("web1", "0f0e0d0c-0b0a-0908-0706-050403020100"), id);
    }

    @Test
    void refusesXmlWithoutUuid() {
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> DomainIdentity.of("<domain><name>web1</name></domain>"));
        assertEquals("domain XML for 'web1': <domain> has no <uuid>; the converter must keep the Xen guest's UUID or"
                + " make one", e.getMessage());
    }

    @Test
    void refusesAnotherRootElement() {
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> DomainIdentity.of("<network><name>n</name></network>"));
        assertEquals("domain XML: root element is <network>, expected <domain>", e.getMessage());
    }

    @Test
    void refusesMalformedXml() {
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> DomainIdentity.of("<domain><name>web1</domain>"));
        assertTrue(e.getMessage().startsWith("domain XML is not well-formed: "), e.getMessage());
    }

    @Test
    void refusesADoctypeSoNoEntityIsEverResolved() {
        String xxe = "<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                + "<domain><name>&x;</name><uuid>0f0e0d0c-0b0a-0908-0706-050403020100</uuid></domain>";
        LibvirtRegistrationException e = assertThrows(LibvirtRegistrationException.class,
                () -> DomainIdentity.of(xxe));
        assertTrue(e.getMessage().startsWith("domain XML is not well-formed: ") && e.getMessage().contains("DOCTYPE"),
                e.getMessage());
    }
}
