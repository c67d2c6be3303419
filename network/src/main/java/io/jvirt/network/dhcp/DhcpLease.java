package io.jvirt.network.dhcp;

import io.jvirt.network.Ipv4;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The one address a guest interface gets: what a {@link DhcpServer} offers to the client with {@code mac} and to
 * no other. Immutable.
 *
 * @param mac the guest NIC's MAC ({@code aa:bb:cc:dd:ee:ff})
 * @param address the guest's IPv4 address, {@code prefix} its subnet
 * @param router the default gateway (0: none)
 * @param dns name servers, in order
 * @param mtu the interface MTU (0: not sent)
 * @param hostname the guest's host name (null or empty: not sent)
 * @param server the server's own address (the DHCP server identifier; replies come from it)
 */
public record DhcpLease(String mac, int address, int prefix, int router, List<Integer> dns, int mtu, String hostname, int server) {
    public DhcpLease {
        Objects.requireNonNull(mac, "mac");
        if (!mac.matches("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}")) {
            throw new IllegalArgumentException("not a MAC address: '" + mac + "'");
        }
        mac = mac.toLowerCase(Locale.ROOT);
        if (prefix < 1 || prefix > 32) {
            throw new IllegalArgumentException("prefix length must be 1-32: " + prefix);
        }
        dns = List.copyOf(dns);
        if (hostname != null && !hostname.isEmpty() && !isHostname(hostname)) {
            throw new IllegalArgumentException("not a host name: '" + hostname + "'");
        }
    }

    /** Whether {@code name} may be sent as the lease's host name (letters, digits, dots and dashes, at most 63). */
    public static boolean isHostname(String name) {
        return name.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,61}[A-Za-z0-9])?");
    }

    public byte[] macBytes() {
        byte[] b = new byte[6];
        String[] parts = mac.split(":");
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    @Override
    public String toString() {
        return mac + " -> " + Ipv4.text(address) + "/" + prefix;
    }
}
