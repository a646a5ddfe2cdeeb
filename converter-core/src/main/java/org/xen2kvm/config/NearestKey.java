package org.xen2kvm.config;

import java.util.Collection;
import java.util.Optional;

/**
 * Suggests the known key a misspelled one was meant to be: the nearest by optimal string
 * alignment distance (Damerau-Levenshtein without repeated edits of a substring: insertions,
 * deletions, substitutions and swaps of adjacent letters each cost 1).
 */
public final class NearestKey {
    /** More edits than this and two keys are different words, not a typo. */
    static final int MAX_EDITS = 2;

    private NearestKey() {
    }

    /**
     * The known key nearest to {@code key}, if one is within {@link #MAX_EDITS} edits and no
     * more than a third of the key's length (so short keys need a closer match); ties go to the
     * alphabetically first key.
     */
    public static Optional<String> of(String key, Collection<String> known) {
        int allowed = Math.min(MAX_EDITS, Math.max(1, key.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            if (Math.abs(candidate.length() - key.length()) > allowed) {
                continue;
            }
            int d = distance(key, candidate);
            if (d <= allowed && (d < bestDistance || d == bestDistance && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Optimal string alignment distance between {@code a} and {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
