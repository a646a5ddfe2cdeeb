package org.xen2kvm.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan: the guests to convert and how. Read from and written to YAML by {@link PlanFiles}.
 *
 * @param version            the plan format, {@value #VERSION}
 * @param sources            what {@code plan create} scanned
 * @param defaults           convert options for every guest: long option names without the
 *                           leading dashes, to a string, number, boolean or list of strings
 * @param pre                commands run before every guest's own {@code pre}
 * @param post               commands run after every guest's own {@code post}
 * @param hookTimeoutSeconds a hook still running after this long fails its guest
 * @param warnings           what {@code plan create} found wrong (duplicates, space)
 * @param skipped            files the scan left out, and why
 * @param guests             the entries
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"version", "sources", "defaults", "pre", "post", "hookTimeoutSeconds", "warnings", "skipped", "guests"})
public record Plan(
        int version,
        List<String> sources,
        Map<String, Object> defaults,
        List<String> pre,
        List<String> post,
        Integer hookTimeoutSeconds,
        List<String> warnings,
        List<SkippedFile> skipped,
        List<PlanEntry> guests) {

    public static final int VERSION = 1;
    /** Hooks are meant to shut a guest down or check a host: an hour is plenty. */
    public static final int DEFAULT_HOOK_TIMEOUT_SECONDS = 3600;

    public Plan {
        sources = sources == null ? List.of() : List.copyOf(sources);
        defaults = defaults == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        pre = pre == null ? List.of() : List.copyOf(pre);
        post = post == null ? List.of() : List.copyOf(post);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
        guests = guests == null ? List.of() : List.copyOf(guests);
    }

    public int hookTimeout() {
        return hookTimeoutSeconds == null ? DEFAULT_HOOK_TIMEOUT_SECONDS : hookTimeoutSeconds;
    }

    /** The entry named {@code name}, or null. */
    public PlanEntry guest(String name) {
        for (PlanEntry e : guests) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }
}
