package org.xen2kvm.guest;

import java.util.Comparator;

/**
 * Orders kernel release strings the way rpm's and dpkg's version comparison roughly do:
 * runs of digits compare as numbers, other runs as text, so {@code 6.1.0-18} is newer than
 * {@code 6.1.0-9} and {@code 2.6.32-754} newer than {@code 2.6.18-398}.
 */
public final class KernelVersions {

    /** Digit runs longer than this compare by length first (avoids parsing huge numbers). */
    private static final int MAX_DIGITS = 18;

    public static final Comparator<String> ASCENDING = KernelVersions::compare;

    private KernelVersions() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = runEnd(a, i);
                int ej = runEnd(b, j);
                int c = compareNumbers(a.substring(i, ei), b.substring(j, ej));
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else if (Character.isDigit(ca) != Character.isDigit(cb)) {
                // A number beats text at the same place: 6.1.10 > 6.1.rc
                return Character.isDigit(ca) ? 1 : -1;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static int runEnd(String s, int from) {
        int k = from;
        while (k < s.length() && Character.isDigit(s.charAt(k))) {
            k++;
        }
        return k;
    }

    private static int compareNumbers(String x, String y) {
        String a = x.replaceFirst("^0+(?=.)", "");
        String b = y.replaceFirst("^0+(?=.)", "");
        if (a.length() > MAX_DIGITS || b.length() > MAX_DIGITS || a.length() != b.length()) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }
}
