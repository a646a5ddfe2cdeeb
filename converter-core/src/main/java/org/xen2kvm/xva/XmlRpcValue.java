package org.xen2kvm.xva;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xen2kvm.config.ConfigParseException;

/**
 * Decodes an XML-RPC {@code <value>} into plain Java: struct to {@link LinkedHashMap}, array
 * to {@link List}, {@code <boolean>} to {@link Boolean}, every scalar else (untyped text,
 * {@code <string>}, {@code <int>}, {@code <double>}, dates) to its text.
 */
final class XmlRpcValue {
    private static final int MAX_DEPTH = 64;

    private XmlRpcValue() {
    }

    static Object decode(String file, Element value) {
        return decode(file, value, 0);
    }

    private static Object decode(String file, Element value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new ConfigParseException(file, 1, 1, "XML-RPC values nested too deeply", "<value>",
                    "at most " + MAX_DEPTH + " levels");
        }
        Element typed = firstElement(value);
        if (typed == null) {
            return value.getTextContent();
        }
        switch (typed.getTagName()) {
            case "struct" -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Element member : elements(typed, "member")) {
                    Element name = first(member, "name");
                    Element v = first(member, "value");
                    if (name == null || v == null) {
                        throw new ConfigParseException(file, 1, 1, "XML-RPC <member> without <name> or <value>",
                                "<member>", "<member><name>..</name><value>..</value></member>");
                    }
                    map.put(name.getTextContent(), decode(file, v, depth + 1));
                }
                return map;
            }
            case "array" -> {
                List<Object> list = new ArrayList<>();
                Element data = first(typed, "data");
                if (data != null) {
                    for (Element v : elements(data, "value")) {
                        list.add(decode(file, v, depth + 1));
                    }
                }
                return list;
            }
            case "boolean" -> {
                String t = typed.getTextContent().strip();
                if (!t.equals("0") && !t.equals("1")) {
                    throw new ConfigParseException(file, 1, 1, "bad XML-RPC boolean", t, "0 or 1");
                }
                return t.equals("1");
            }
            default -> {
                return typed.getTextContent();
            }
        }
    }

    private static Element firstElement(Element e) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                return c;
            }
        }
        return null;
    }

    private static Element first(Element e, String tag) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) {
                return c;
            }
        }
        return null;
    }

    private static List<Element> elements(Element e, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) {
                out.add(c);
            }
        }
        return out;
    }
}
