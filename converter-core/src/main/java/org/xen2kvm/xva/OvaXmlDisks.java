package org.xen2kvm.xva;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Just the disk sizes from an XVA's {@code ova.xml}: every XML-RPC struct with
 * {@code class = VDI} gives its {@code id} ({@code Ref:N}) and {@code snapshot.virtual_size}.
 * The full VM configuration is read elsewhere.
 */
final class OvaXmlDisks {
    private OvaXmlDisks() {
    }

    /** Virtual size in bytes by VDI reference, in document order. */
    static Map<String, Long> virtualSizes(byte[] ovaXml, Path file) throws XvaFormatException {
        Document doc = parse(ovaXml, file);
        Map<String, Long> sizes = new LinkedHashMap<>();
        NodeList structs = doc.getElementsByTagName("struct");
        for (int i = 0; i < structs.getLength(); i++) {
            Map<String, Element> members = members((Element) structs.item(i));
            if (!"VDI".equals(text(members.get("class"))) || members.get("id") == null) {
                continue;
            }
            String ref = text(members.get("id"));
            Element snapshot = members.get("snapshot");
            Element inner = snapshot == null ? null : firstChild(snapshot, "struct");
            String size = inner == null ? null : text(members(inner).get("virtual_size"));
            if (size == null) {
                continue;
            }
            try {
                long v = Long.parseLong(size);
                if (v < 0) {
                    throw new NumberFormatException();
                }
                sizes.put(ref, v);
            } catch (NumberFormatException e) {
                throw new XvaFormatException(file, 0, "ova.xml: VDI " + ref + " has virtual_size '" + size
                        + "', not a byte count");
            }
        }
        return sizes;
    }

    private static Document parse(byte[] xml, Path file) throws XvaFormatException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            // ova.xml comes from the guest's exporter: no DTDs, no external entities.
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b.parse(new ByteArrayInputStream(xml));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new XvaFormatException(file, 0, "ova.xml is not well-formed XML: " + e.getMessage());
        }
    }

    /** The struct's members: name to the {@code <value>} element. */
    private static Map<String, Element> members(Element struct) {
        Map<String, Element> m = new LinkedHashMap<>();
        for (Element member : children(struct, "member")) {
            Element name = firstChild(member, "name");
            Element value = firstChild(member, "value");
            if (name != null && value != null) {
                m.put(name.getTextContent().trim(), value);
            }
        }
        return m;
    }

    /** A scalar {@code <value>}'s text, bare or inside a type element such as {@code <string>}. */
    private static String text(Element value) {
        if (value == null) {
            return null;
        }
        Element typed = null;
        for (Node n = value.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                typed = e;
                break;
            }
        }
        return (typed != null ? typed.getTextContent() : value.getTextContent()).trim();
    }

    private static Element firstChild(Element parent, String tag) {
        List<Element> c = children(parent, tag);
        return c.isEmpty() ? null : c.get(0);
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }
}
