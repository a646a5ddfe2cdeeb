package org.xen2kvm.libvirt;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Outcome of {@link LibvirtRegistrar#verifyBoot}.
 *
 * @param booted           the login prompt appeared before the timeout
 * @param timeToPrompt     from resuming the guest's CPUs to the prompt; when not booted,
 *                         how long we waited
 * @param consoleLog       file holding everything the serial console printed
 * @param lastConsoleLines the last lines of console output, for error messages
 */
public record BootReport(boolean booted, Duration timeToPrompt, Path consoleLog, String lastConsoleLines) {
}
