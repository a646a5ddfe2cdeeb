package org.xen2kvm.guest;

import java.util.List;

/**
 * The guest's network configuration styles and the interface names they configure
 * ({@code lo} excluded), in the order first found.
 */
public record NetworkConfig(List<NetworkStyle> styles, List<String> interfaces) {
    public NetworkConfig {
        styles = List.copyOf(styles);
        interfaces = List.copyOf(interfaces);
    }
}
