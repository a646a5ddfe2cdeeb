package org.xen2kvm.batch;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a guest of a plan is. The lower-case names are part of the status JSON contract. */
public enum GuestStatus {
    PENDING, RUNNING, DONE, FAILED, SKIPPED;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
