package io.jvirt.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 subnet in CIDR form (network address and prefix length), parsed strictly: four dotted decimals and a
 * prefix of 8–30 bits. Immutable.
 */
public record Ipv4(int network, int prefix) {
    public Ipv4 {
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("prefix length must be 8-30: /" + prefix);
        }
        if ((network & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException("not a network address: " + text(network) + "/" + prefix);
        }
    }

    public static Ipv4 parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not in CIDR form: '" + cidr + "'");
        }
        return new Ipv4(address(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
    }

    /** A dotted-decimal IPv4 address as an int (big-endian order). */
    public static int address(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
        }
        int value = 0;
        for (String part : parts) {
            if (!part.matches("\\d{1,3}") || Integer.parseInt(part) > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'");
            }
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }

    public static String text(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    public static InetAddress inet(int address) {
        try {
            return Inet4Address.getByAddress(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** The {@code n}-th address of the subnet (1 is the first host). */
    public int host(int n) {
        return network + n;
    }

    public boolean overlaps(Ipv4 other) {
        int common = mask(Math.min(prefix, other.prefix));
        return (network & common) == (other.network & common);
    }

    @Override
    public String toString() {
        return text(network) + "/" + prefix;
    }
}
