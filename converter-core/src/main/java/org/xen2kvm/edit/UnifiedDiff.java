package org.xen2kvm.edit;

import java.util.ArrayList;
import java.util.List;

/**
 * Unified diffs as {@code diff -u} prints them, for showing guest edits. Lines are compared
 * with their terminators, so a lost final newline is a change, marked with
 * {@code \ No newline at end of file} as diff does. The edit script is Myers' O(ND) greedy
 * algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986); when more than
 * {@value #MAX_EDIT_DISTANCE} lines differ the diff degrades to "remove all, add all",
 * which is still a correct patch, rather than use quadratic memory.
 */
public final class UnifiedDiff {

    /** Lines of unchanged context around each change, as {@code diff -u}. */
    public static final int CONTEXT = 3;
    /** Bound on the Myers search depth; memory use is about its square. */
    static final int MAX_EDIT_DISTANCE = 2000;
    private static final String NO_NEWLINE = "\\ No newline at end of file";

    private enum Op { EQUAL, DELETE, INSERT }

    private record Edit(Op op, int aIndex, int bIndex) {
    }

    private UnifiedDiff() {
    }

    /**
     * The unified diff of two texts; empty when they are equal. A null text stands for a
     * file that does not exist, labelled {@code /dev/null}.
     */
    public static String diff(String aLabel, String bLabel, String a, String b) {
        if (a != null && a.equals(b)) {
            return "";
        }
        List<String> x = splitKeepingEnds(a == null ? "" : a);
        List<String> y = splitKeepingEnds(b == null ? "" : b);
        List<Edit> script = normalize(editScript(x, y));
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(a == null ? "/dev/null" : aLabel).append('\n');
        out.append("+++ ").append(b == null ? "/dev/null" : bLabel).append('\n');
        int i = 0;
        while (i < script.size()) {
            if (script.get(i).op() == Op.EQUAL) {
                i++;
                continue;
            }
            int start = Math.max(0, i - CONTEXT);
            int end = i;
            // Extend the hunk while the next change is close enough that contexts would touch.
            while (true) {
                while (end < script.size() && script.get(end).op() != Op.EQUAL) {
                    end++;
                }
                int k = end;
                while (k < script.size() && script.get(k).op() == Op.EQUAL) {
                    k++;
                }
                if (k < script.size() && k - end <= 2 * CONTEXT) {
                    end = k;
                } else {
                    end = Math.min(script.size(), end + CONTEXT);
                    break;
                }
            }
            appendHunk(out, script.subList(start, end), x, y);
            i = end;
        }
        return out.toString();
    }

    /**
     * The line diff(1) prints for binary files, with the sizes: {@code Binary file /boot/x
     * changed (N -> M bytes)}; a size of -1 stands for no file (created, removed).
     */
    public static String binaryNote(String path, long before, long after) {
        if (before < 0) {
            return "Binary file " + path + " created (" + after + " bytes)\n";
        }
        if (after < 0) {
            return "Binary file " + path + " removed (" + before + " bytes)\n";
        }
        return "Binary file " + path + " changed (" + before + " -> " + after + " bytes)\n";
    }

    private static void appendHunk(StringBuilder out, List<Edit> hunk, List<String> x, List<String> y) {
        int aStart = -1;
        int bStart = -1;
        int aLen = 0;
        int bLen = 0;
        int aBefore = 0;
        int bBefore = 0;
        for (Edit e : hunk) {
            if (e.op() != Op.INSERT) {
                if (aStart < 0) {
                    aStart = e.aIndex();
                }
                aLen++;
            }
            if (e.op() != Op.DELETE) {
                if (bStart < 0) {
                    bStart = e.bIndex();
                }
                bLen++;
            }
        }
        // An empty side is numbered by the line before it, as diff does ("-0,0").
        Edit first = hunk.get(0);
        aBefore = first.aIndex();
        bBefore = first.bIndex();
        out.append("@@ -").append(range(aStart < 0 ? aBefore : aStart + 1, aLen))
                .append(" +").append(range(bStart < 0 ? bBefore : bStart + 1, bLen)).append(" @@\n");
        for (Edit e : hunk) {
            String line = e.op() == Op.INSERT ? y.get(e.bIndex()) : x.get(e.aIndex());
            char sign = e.op() == Op.EQUAL ? ' ' : e.op() == Op.DELETE ? '-' : '+';
            out.append(sign);
            if (line.endsWith("\n")) {
                out.append(line);
            } else {
                out.append(line).append('\n').append(NO_NEWLINE).append('\n');
            }
        }
    }

    private static String range(int start, int len) {
        return len == 1 ? Integer.toString(start) : start + "," + len;
    }

    /** Lines with their terminating newline; the last one may lack it. */
    static List<String> splitKeepingEnds(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                out.add(s.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /**
     * Myers' forward greedy search, keeping each round's furthest-reaching diagonals so the
     * path can be walked back. Edits carry the line index in both files at their position.
     */
    private static List<Edit> editScript(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int max = n + m;
        int limit = Math.min(max, MAX_EDIT_DISTANCE);
        List<int[]> trace = new ArrayList<>();
        int[] v = new int[2 * limit + 3];
        int offset = limit + 1;
        int found = -1;
        for (int d = 0; d <= limit && found < 0; d++) {
            for (int k = -d; k <= d; k += 2) {
                int xPos;
                if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) {
                    xPos = v[offset + k + 1];
                } else {
                    xPos = v[offset + k - 1] + 1;
                }
                int yPos = xPos - k;
                while (xPos < n && yPos < m && a.get(xPos).equals(b.get(yPos))) {
                    xPos++;
                    yPos++;
                }
                v[offset + k] = xPos;
                if (xPos >= n && yPos >= m) {
                    found = d;
                    break;
                }
            }
            trace.add(v.clone());
        }
        if (found < 0) {
            return replaceAll(n, m);
        }
        List<Edit> rev = new ArrayList<>();
        int xPos = n;
        int yPos = m;
        for (int d = found; d > 0; d--) {
            int[] prev = trace.get(d - 1);
            int k = xPos - yPos;
            int prevK = (k == -d || (k != d && prev[offset + k - 1] < prev[offset + k + 1])) ? k + 1 : k - 1;
            int prevX = prev[offset + prevK];
            int prevY = prevX - prevK;
            while (xPos > prevX && yPos > prevY) {
                xPos--;
                yPos--;
                rev.add(new Edit(Op.EQUAL, xPos, yPos));
            }
            if (prevK == k + 1) {
                yPos--;
                rev.add(new Edit(Op.INSERT, xPos, yPos));
            } else {
                xPos--;
                rev.add(new Edit(Op.DELETE, xPos, yPos));
            }
        }
        while (xPos > 0 && yPos > 0) {
            xPos--;
            yPos--;
            rev.add(new Edit(Op.EQUAL, xPos, yPos));
        }
        List<Edit> out = new ArrayList<>(rev.size());
        for (int i = rev.size() - 1; i >= 0; i--) {
            out.add(rev.get(i));
        }
        return out;
    }

    private static List<Edit> replaceAll(int n, int m) {
        List<Edit> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Edit(Op.DELETE, i, 0));
        }
        for (int j = 0; j < m; j++) {
            out.add(new Edit(Op.INSERT, n, j));
        }
        return out;
    }

    /** Within each run of changes, deletions first, as diff prints them. */
    private static List<Edit> normalize(List<Edit> script) {
        List<Edit> out = new ArrayList<>(script.size());
        int i = 0;
        while (i < script.size()) {
            if (script.get(i).op() == Op.EQUAL) {
                out.add(script.get(i++));
                continue;
            }
            int j = i;
            List<Edit> ins = new ArrayList<>();
            int aAt = -1;
            int bAt = -1;
            while (j < script.size() && script.get(j).op() != Op.EQUAL) {
                Edit e = script.get(j);
                if (aAt < 0) {
                    aAt = e.aIndex();
                    bAt = e.bIndex();
                }
                if (e.op() == Op.DELETE) {
                    out.add(new Edit(Op.DELETE, e.aIndex(), bAt));
                } else {
                    ins.add(e);
                }
                j++;
            }
            int aEnd = j < script.size() ? script.get(j).aIndex() : -1;
            for (Edit e : ins) {
                out.add(new Edit(Op.INSERT, aEnd >= 0 ? aEnd : e.aIndex(), e.bIndex()));
            }
            i = j;
        }
        return out;
    }
}
