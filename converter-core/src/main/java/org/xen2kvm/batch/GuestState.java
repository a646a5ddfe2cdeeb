package org.xen2kvm.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a plan run recorded for one guest, kept in {@code PLAN.yaml.d/NAME.json}.
 *
 * @param state       {@code running}, {@code done} or {@code failed}; {@code pending} after a
 *                    run was interrupted while converting it (its conversion was undone; the
 *                    error says so). Other pending guests and skipped ones have no state file
 * @param owner       {@code host:pid} of the run converting it
 * @param startedAt   ISO-8601 UTC
 * @param finishedAt  ISO-8601 UTC, null while running
 * @param seconds     wall time of hooks and conversion
 * @param outputs     files written
 * @param registered  the libvirt domain, when registered
 * @param warnings    the conversion's warnings
 * @param bootSeconds time to the login prompt, when {@code --verify-boot} saw one
 * @param bootChecked true when the conversion checked the boot (with or without a prompt)
 * @param bytesCopied the data written for the disks
 * @param error       why it failed
 * @param hookOutput  the last lines of a failing hook
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GuestState(
        String name,
        GuestStatus state,
        String owner,
        String startedAt,
        String finishedAt,
        Double seconds,
        List<String> outputs,
        String registered,
        List<String> warnings,
        Double bootSeconds,
        Boolean bootChecked,
        Long bytesCopied,
        String error,
        String hookOutput) {

    public GuestState {
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    static GuestState running(String name, String owner, String startedAt) {
        return new GuestState(name, GuestStatus.RUNNING, owner, startedAt, null, null, null, null, null, null, null,
                null, null, null);
    }
}
