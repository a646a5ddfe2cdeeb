package org.xen2kvm.kvm;

/** A graphical console: {@code vnc} or {@code spice}; port null means automatic. */
public record TargetGraphics(String type, String listen, Integer port, String password, String keymap) {
}
