package io.jvirt.network.binding;

import java.util.Locale;

/**
 * A port a VMI interface declares ({@code spec.domain.devices.interfaces[].ports[]}): the masquerade and passt
 * bindings forward only these when any is declared.
 *
 * @param protocol TCP or UDP in any case; null or empty is TCP (KubeVirt's default); kept lower case
 */
public record GuestPort(int port, String protocol) {
    public GuestPort {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535: " + port);
        }
        protocol = protocol == null || protocol.isEmpty() ? "tcp" : protocol.toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("protocol must be TCP or UDP: " + protocol);
        }
    }
}
