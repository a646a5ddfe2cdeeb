package org.xen2kvm.kmod;

/**
 * POSIX {@code fnmatch(pattern, string, 0)}, the matching kmod applies to wildcard aliases
 * ({@code pci:v00001AF4d*sv*}): {@code *}, {@code ?}, bracket expressions with ranges, negation
 * ({@code !} or {@code ^}) and the common character classes, backslash escapes. With no flags
 * {@code /} and a leading {@code .} are ordinary characters. Runs in O(pattern x string) time:
 * a star keeps one backtracking point, so a hostile pattern cannot make it exponential.
 */
final class Fnmatch {
    private Fnmatch() {
    }

    static boolean matches(String pattern, String s) {
        int p = 0;
        int i = 0;
        int starP = -1;
        int starI = -1;
        while (i < s.length()) {
            if (p < pattern.length()) {
                char c = pattern.charAt(p);
                if (c == '*') {
                    starP = ++p;
                    starI = i;
                    continue;
                }
                int next = matchOne(pattern, p, s.charAt(i));
                if (next >= 0) {
                    p = next;
                    i++;
                    continue;
                }
            }
            if (starP < 0) {
                return false;
            }
            p = starP;
            i = ++starI;
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /** Matches one pattern element at {@code p} against {@code ch}: the index after the element, or -1. */
    private static int matchOne(String pat, int p, char ch) {
        char c = pat.charAt(p);
        if (c == '?') {
            return p + 1;
        }
        if (c == '\\' && p + 1 < pat.length()) {
            return pat.charAt(p + 1) == ch ? p + 2 : -1;
        }
        if (c == '[') {
            int end = bracketEnd(pat, p);
            if (end < 0) {
                return ch == '[' ? p + 1 : -1; // an unclosed bracket is a literal '['
            }
            return bracketMatches(pat, p + 1, end, ch) ? end + 1 : -1;
        }
        return c == ch ? p + 1 : -1;
    }

    /** Index of the ']' closing the bracket expression at {@code p}, or -1. */
    private static int bracketEnd(String pat, int p) {
        int i = p + 1;
        if (i < pat.length() && (pat.charAt(i) == '!' || pat.charAt(i) == '^')) {
            i++;
        }
        if (i < pat.length() && pat.charAt(i) == ']') {
            i++;
        }
        while (i < pat.length()) {
            char c = pat.charAt(i);
            if (c == '[' && i + 1 < pat.length() && pat.charAt(i + 1) == ':') {
                int close = pat.indexOf(":]", i + 2);
                if (close > 0) {
                    i = close + 2;
                    continue;
                }
            }
            if (c == '\\' && i + 1 < pat.length()) {
                i += 2;
                continue;
            }
            if (c == ']') {
                return i;
            }
            i++;
        }
        return -1;
    }

    private static boolean bracketMatches(String pat, int start, int end, char ch) {
        int i = start;
        boolean negate = false;
        if (pat.charAt(i) == '!' || pat.charAt(i) == '^') {
            negate = true;
            i++;
        }
        boolean matched = false;
        boolean first = true;
        while (i < end) {
            char c = pat.charAt(i);
            if (c == '[' && i + 1 < end && pat.charAt(i + 1) == ':') {
                int close = pat.indexOf(":]", i + 2);
                if (close > 0 && close < end) {
                    matched |= inClass(pat.substring(i + 2, close), ch);
                    i = close + 2;
                    first = false;
                    continue;
                }
            }
            if (c == ']' && !first) {
                break;
            }
            if (c == '\\' && i + 1 < end) {
                c = pat.charAt(++i);
            }
            first = false;
            if (i + 2 < end && pat.charAt(i + 1) == '-' && pat.charAt(i + 2) != ']') {
                char hi = pat.charAt(i + 2);
                int after = i + 3;
                if (hi == '\\' && i + 3 < end) {
                    hi = pat.charAt(i + 3);
                    after = i + 4;
                }
                matched |= c <= ch && ch <= hi;
                i = after;
                continue;
            }
            matched |= c == ch;
            i++;
        }
        return matched != negate;
    }

    private static boolean inClass(String name, char ch) {
        return switch (name) {
            case "alpha" -> Character.isLetter(ch) && ch < 128;
            case "digit" -> ch >= '0' && ch <= '9';
            case "alnum" -> (Character.isLetterOrDigit(ch)) && ch < 128;
            case "upper" -> ch >= 'A' && ch <= 'Z';
            case "lower" -> ch >= 'a' && ch <= 'z';
            case "xdigit" -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
            case "space" -> ch == ' ' || (ch >= '\t' && ch <= '\r');
            case "punct" -> ch > 32 && ch < 127 && !Character.isLetterOrDigit(ch);
            default -> false;
        };
    }
}
