package org.xen2kvm.libvirt;

import java.io.IOException;
import java.io.StringReader;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The name and UUID a domain XML declares. The registrar checks for conflicts by the
 * name and UUID it is given, so they must be the ones libvirt will see in the XML.
 */
record DomainIdentity(String name, String uuid) {
    /** libvirt's UUID text form (RFC 4122 8-4-4-4-12 hex digits); libvirt also accepts no dashes, we do not. */
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    static String normalizeUuid(String uuid) {
        if (uuid == null || !UUID_TEXT.matcher(uuid).matches()) {
            throw new LibvirtRegistrationException("domain uuid '" + uuid
                    + "' is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; pass a valid UUID");
        }
        return uuid.toLowerCase(Locale.ROOT);
    }

    /**
     * Reads {@code /domain/name} and {@code /domain/uuid}.
     *
     * @throws LibvirtRegistrationException when the XML is not well-formed, is not a
     *                                      {@code <domain>}, or lacks a name or UUID
     */
    static DomainIdentity of(String domainXml) {
        Element root = parse(domainXml).getDocumentElement();
        if (!"domain".equals(root.getTagName())) {
            throw new LibvirtRegistrationException("domain XML: root element is <" + root.getTagName()
                    + ">, expected <domain>");
        }
        String name = childText(root, "name");
        String uuid = childText(root, "uuid");
        if (name == null || name.isBlank()) {
            throw new LibvirtRegistrationException("domain XML: <domain> has no <name>; the converter must set one");
        }
        if (uuid == null) {
            throw new LibvirtRegistrationException("domain XML for '" + name
                    + "': <domain> has no <uuid>; the converter must keep the Xen guest's UUID or make one");
        }
        return new DomainIdentity(name.strip(), normalizeUuid(uuid.strip()));
    }

    private static String childText(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && tag.equals(e.getTagName())) {
                return e.getTextContent();
            }
        }
        return null;
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // The XML is ours, but never let a parser fetch entities or DTDs.
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler()); // fail on errors without printing them
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException e) {
            throw new LibvirtRegistrationException("domain XML is not well-formed: " + e.getMessage(), e);
        } catch (ParserConfigurationException | IOException e) {
            throw new LibvirtRegistrationException("domain XML cannot be parsed: " + e.getMessage(), e);
        }
    }
}
