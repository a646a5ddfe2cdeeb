package org.xen2kvm.config;

import java.io.IOException;
import java.io.StringReader;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * DOM parsing for hostile guest XML: no DTDs, no external entities, no XInclude, JDK secure
 * processing limits on (entity expansion, element depth).
 */
public final class SafeXml {
    private SafeXml() {
    }

    /**
     * Parses an XML document.
     *
     * @throws ConfigParseException with the parser's line and column on malformed XML or a DTD
     */
    public static Document parse(String file, String text) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            DocumentBuilder db = f.newDocumentBuilder();
            db.setErrorHandler(null);
            return db.parse(new InputSource(new StringReader(text)));
        } catch (SAXParseException e) {
            int line = Math.max(1, e.getLineNumber());
            int col = Math.max(1, e.getColumnNumber());
            String msg = String.valueOf(e.getMessage());
            String problem = msg.contains("DOCTYPE is disallowed")
                    ? "DOCTYPE declarations are refused (entities could read host files)"
                    : "malformed XML: " + msg;
            throw new ConfigParseException(file, line, col, problem,
                    lineText(text, line), "well-formed XML without a DOCTYPE", e);
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new ConfigParseException(file, 1, 1, "cannot parse XML: " + e.getMessage(), "",
                    "well-formed XML", e);
        }
    }

    private static String lineText(String text, int line) {
        String[] lines = text.split("\n", -1);
        return line - 1 < lines.length ? lines[line - 1].strip() : "";
    }
}
