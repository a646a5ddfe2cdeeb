package org.xen2kvm.edit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xen2kvm.fs.GuestFileSystem;
import org.xen2kvm.guest.KernelInfo;

/**
 * Advises, without changing anything, on the clock of RHEL 5 kernels older than 5.5. Those
 * kernels have no kvm-clock: on a host without a constant TSC their clock drifts, and Red Hat's
 * KVM guest timing guide asks for {@code notsc} (x86_64) or {@code clocksource=acpi_pm}
 * (32-bit) on their kernel line for RHEL 5.3 ({@code 2.6.18-128}) and 5.4
 * ({@code 2.6.18-164}). 5.5 ({@code 2.6.18-194}) and later use kvm-clock and need nothing.
 * The advice is a warning, so it is in the plan; the conversion does not add the argument
 * because it is wrong on a host with a constant TSC, which most are.
 */
public final class ClockAdvice implements GuestEdit {

    /** RHEL 5's kernel release: {@code 2.6.18-<build>.el5}. */
    private static final Pattern RHEL5_KERNEL = Pattern.compile("^2\\.6\\.18-([0-9]{1,5})(?:\\.[0-9]+)*\\.el5.*$");
    /** The first RHEL 5 kernel with kvm-clock (5.5). */
    static final int FIRST_KVM_CLOCK_BUILD = 194;

    @Override
    public String name() {
        return "clock";
    }

    @Override
    public List<String> apply(GuestFileSystem fs, ConversionContext ctx) throws IOException {
        List<String> notes = new ArrayList<>();
        for (KernelInfo k : ctx.guest().kernels()) {
            Matcher m = RHEL5_KERNEL.matcher(k.version());
            if (k.xenOnly() || !m.matches() || Integer.parseInt(m.group(1)) >= FIRST_KVM_CLOCK_BUILD) {
                continue;
            }
            int build = Integer.parseInt(m.group(1));
            String release = build >= 164 ? "RHEL 5.4" : build >= 128 ? "RHEL 5.3" : "RHEL 5.2 or older";
            notes.add(WARNING + "kernel " + k.version() + " (" + release + ") has no kvm-clock: if the guest's clock drifts"
                    + " on KVM, add notsc (x86_64) or clocksource=acpi_pm (32-bit) to its kernel line, or update to"
                    + " RHEL 5.5 or later");
        }
        return notes;
    }
}
