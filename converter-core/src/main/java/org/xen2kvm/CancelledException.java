package org.xen2kvm;

import java.io.IOException;

/**
 * The work stopped because it was asked to ({@link Cancellation}). It is an
 * {@link IOException} so that it travels the paths an I/O failure does, and is undone the
 * same way; callers that count failures tell it apart, since nothing failed.
 */
public final class CancelledException extends IOException {
    private final String reason;

    public CancelledException(String reason, String where) {
        super("interrupted (" + reason + ") while " + where);
        this.reason = reason;
    }

    /** What asked the work to stop ({@code SIGTERM}). */
    public String reason() {
        return reason;
    }

    /** The cancellation in {@code e} or its causes, or null when it is a real failure. */
    public static CancelledException in(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 64; depth++, t = t.getCause()) {
            if (t instanceof CancelledException c) {
                return c;
            }
        }
        return null;
    }
}
