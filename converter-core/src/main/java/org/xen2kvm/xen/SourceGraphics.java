package org.xen2kvm.xen;

/**
 * A graphical console of a Xen guest.
 *
 * @param type     {@code vnc}, {@code sdl} or {@code spice}
 * @param listen   listen address, or null
 * @param port     TCP port, or null when chosen automatically
 * @param password password, or null
 * @param keymap   keyboard map, or null
 */
public record SourceGraphics(String type, String listen, Integer port, String password, String keymap) {
}
