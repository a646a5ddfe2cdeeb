package org.xen2kvm.libvirt;

/**
 * What a shell command run through {@link SerialConsole#run} printed and how it exited.
 *
 * @param output     stdout and stderr interleaved as the terminal showed them, with
 *                   carriage returns and terminal escapes removed
 * @param exitStatus the shell's {@code $?} after the command
 */
public record CommandResult(String output, int exitStatus) {
}
