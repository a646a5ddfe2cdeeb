package org.xen2kvm.config;

/**
 * A malformed device spec string (DISKSPEC, VIFSPEC, ...). Spec parsers do not know where the
 * string sits in its file; the reader catches this and throws a {@link ConfigParseException}
 * at the position of the string.
 */
public class SpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String offending;
    private final String expected;

    public SpecException(String problem, String offending, String expected) {
        super(problem);
        this.offending = offending;
        this.expected = expected;
    }

    public String problem() {
        return getMessage();
    }

    public String offending() {
        return offending;
    }

    public String expected() {
        return expected;
    }
}
