package org.xen2kvm.config.xl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xen2kvm.config.ConfigParseException;

/**
 * Typed access to the settings of a parsed file. Conversions follow xl: atoms are text, so a
 * quoted number is a number; booleans are numbers (0 false); integers may be octal or hex.
 * Every failure is a {@link ConfigParseException} at the value's position.
 */
final class XlSettings {
    private final XlFile file;

    XlSettings(XlFile file) {
        this.file = file;
    }

    boolean has(String key) {
        return file.settings().containsKey(key);
    }

    XlSetting setting(String key) {
        return file.settings().get(key);
    }

    Map<String, XlSetting> all() {
        return file.settings();
    }

    /** A string value, or null when absent. */
    String string(String key) {
        XlSetting s = setting(key);
        if (s == null) {
            return null;
        }
        if (s.value() instanceof XlValue.Atom a) {
            return a.text();
        }
        throw error(s.value(), "'" + key + "' must be a single value, not a list", "[ ... ]",
                "a string such as " + key + " = \"...\"");
    }

    /** A string or a list of strings (keys xl accepts both ways); empty when absent. */
    List<XlValue.Atom> atoms(String key) {
        XlSetting s = setting(key);
        List<XlValue.Atom> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        if (s.value() instanceof XlValue.Atom a) {
            out.add(a);
            return out;
        }
        for (XlValue v : ((XlValue.ListValue) s.value()).items()) {
            if (v instanceof XlValue.Atom a) {
                out.add(a);
            } else {
                throw error(v, "'" + key + "' entries must be strings, not nested lists", "[ ... ]",
                        "a list of strings");
            }
        }
        return out;
    }

    /** The raw value as text: a string as is, a list rendered as {@code ["a", "b"]}. */
    String rendered(String key) {
        XlSetting s = setting(key);
        if (s == null) {
            return null;
        }
        if (s.value() instanceof XlValue.Atom a) {
            return a.text();
        }
        List<String> parts = new ArrayList<>();
        for (XlValue.Atom a : atoms(key)) {
            parts.add("\"" + a.text() + "\"");
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /** An integer between min and max, or null when absent. */
    Long number(String key, long min, long max) {
        XlSetting s = setting(key);
        if (s == null) {
            return null;
        }
        if (!(s.value() instanceof XlValue.Atom a)) {
            throw error(s.value(), "'" + key + "' must be a number, not a list", "[ ... ]", "a number");
        }
        String t = a.text().strip();
        Long v = parseInteger(t);
        if (v == null) {
            throw error(a, "'" + key + "' is not an integer", a.raw(), "a decimal, octal or hex integer");
        }
        if (v < min || v > max) {
            throw error(a, "'" + key + "' is out of range", a.raw(), "a number from " + min + " to " + max);
        }
        return v;
    }

    Integer integer(String key, int min, int max) {
        Long v = number(key, min, max);
        return v == null ? null : Math.toIntExact(v);
    }

    /** A boolean: a number (0 false, else true) or the strings true/false/yes/no. */
    Boolean bool(String key) {
        XlSetting s = setting(key);
        if (s == null) {
            return null;
        }
        if (s.value() instanceof XlValue.Atom a) {
            String t = a.text().strip().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("yes")) {
                return true;
            }
            if (t.equals("false") || t.equals("no")) {
                return false;
            }
            Long v = parseInteger(t);
            if (v != null) {
                return v != 0;
            }
            throw error(a, "'" + key + "' is not a boolean", a.raw(), "0 or 1");
        }
        throw error(s.value(), "'" + key + "' must be 0 or 1, not a list", "[ ... ]", "0 or 1");
    }

    /** C strtol(..., 0) rules: 0x hex, leading 0 octal, else decimal; an optional sign. */
    static Long parseInteger(String t) {
        try {
            boolean neg = t.startsWith("-");
            String u = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
            long v;
            if (u.startsWith("0x") || u.startsWith("0X")) {
                v = Long.parseLong(u.substring(2), 16);
            } else if (u.length() > 1 && u.startsWith("0")) {
                v = Long.parseLong(u.substring(1), 8);
            } else {
                v = Long.parseLong(u);
            }
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    ConfigParseException error(XlValue at, String problem, String offending, String expected) {
        return new ConfigParseException(file.fileName(), at.line(), at.column(), problem, offending, expected);
    }
}
