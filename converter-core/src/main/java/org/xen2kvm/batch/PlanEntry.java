package org.xen2kvm.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One guest of a plan.
 *
 * @param name    the entry's key: state file name, {@code --only} name, shard hash input
 * @param source  the definition file (absolute)
 * @param format  the format the scan detected (informative; {@code options: {format: ..}} forces one)
 * @param uuid    the Xen UUID, for the duplicate check
 * @param macs    the NICs' MAC addresses, for the duplicate check
 * @param disks   the disks with their sizes
 * @param target  the KVM domain name ({@code --name}); null for the Xen name
 * @param wave    waves run in ascending order, each after the previous one has finished
 * @param skip    left out of runs; shown as {@code skipped}
 * @param options convert options for this guest, over the plan's {@code defaults}
 * @param pre     commands run (by {@code sh -c}) before the conversion; one failing fails the guest
 * @param post    commands run after a successful conversion; one failing fails the guest
 * @param error   why the definition could not be read when the plan was made (the entry
 *                then counts as failed until a {@code --retry-failed} run converts it)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PlanEntry(
        String name,
        String source,
        String format,
        String uuid,
        List<String> macs,
        List<PlanDisk> disks,
        String target,
        int wave,
        boolean skip,
        Map<String, Object> options,
        List<String> pre,
        List<String> post,
        String error) {

    public PlanEntry {
        macs = macs == null ? List.of() : List.copyOf(macs);
        disks = disks == null ? List.of() : List.copyOf(disks);
        options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        pre = pre == null ? List.of() : List.copyOf(pre);
        post = post == null ? List.of() : List.copyOf(post);
    }

    /** The KVM domain name this entry converts to. */
    public String targetName() {
        return target != null ? target : name;
    }

    /** The virtual size of its disks, as far as the plan knows them (what copy progress counts). */
    public long sizeBytes() {
        long sum = 0;
        for (PlanDisk d : disks) {
            if (d.sizeBytes() != null) {
                sum += d.sizeBytes();
            }
        }
        return sum;
    }

    /** The bytes its disks write, as far as the plan knows them. */
    public long dataBytes() {
        long sum = 0;
        for (PlanDisk d : disks) {
            if (d.dataBytes() != null) {
                sum += d.dataBytes();
            }
        }
        return sum;
    }
}
