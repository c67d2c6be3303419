package io.jvirt.network.service;

import io.jvirt.network.Ipv4;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The host's nftables ruleset of a service proxy: one table {@code ip jvirt-svc-<instance id>} and nothing outside it.
 *
 * <ul>
 *   <li>{@code output} (nat, priority -100, so only connections this host makes): {@code clusterIp:port} and
 *   {@code nodePort} on any local address ({@code fib daddr type local}: 127.0.0.1, the host's own addresses) are
 *   DNATed to a backend chosen by {@code numgen random}; a port without ready backends gets no rule.</li>
 *   <li>{@code postrouting} (nat): connections from a loopback address DNATed onto the pod bridge are masqueraded to the
 *   bridge's own address (the bridge carries {@code route_localnet=1}, else the kernel drops 127.0.0.1 leaving it).</li>
 *   <li>{@code filter_output} (filter): anything still addressed to the service CIDR after DNAT (a cluster IP with no
 *   ready backend, or none allocated) is rejected here, so no packet for a virtual address ever leaves the machine.</li>
 * </ul>
 *
 * Nothing is forwarded: pods are reached by the host only (its {@code ip_forward} stays as it is). Pure.
 */
public final class ServiceRules {
    private ServiceRules() {}

    /** The table's name for agent instance {@code instanceId} (8 hex digits). */
    public static String tableName(String instanceId) {
        if (!instanceId.matches("[0-9a-f]{8}")) throw new IllegalArgumentException("instance id must be 8 hex digits: " + instanceId);
        return "jvirt-svc-" + instanceId;
    }

    /**
     * The {@code nft -f} input that replaces table {@code table} as a whole, in one transaction: an empty table is
     * declared (so the delete never fails), deleted, and made anew with the rules of {@code services}.
     */
    public static String ruleset(String table, String bridge, Ipv4 serviceCidr, List<VirtualService> services) {
        if (!bridge.matches("[A-Za-z0-9_.-]{1,15}")) throw new IllegalArgumentException("not an interface name: " + bridge);
        StringBuilder rules = new StringBuilder();
        for (VirtualService s : services) {
            if (s.backends().isEmpty()) continue;
            String to = dnat(s.backends());
            String comment = " comment \"" + s.name() + "\"";
            if (s.clusterIp() != null) {
                rules.append("    ip daddr ").append(s.clusterIp()).append(' ').append(s.protocol()).append(" dport ").append(s.port())
                        .append(' ').append(to).append(comment).append('\n');
            }
            if (s.nodePort() != 0) {
                rules.append("    fib daddr type local ").append(s.protocol()).append(" dport ").append(s.nodePort()).append(' ').append(to)
                        .append(comment).append('\n');
            }
        }
        return "table ip " + table + " {}\n"
                + "delete table ip " + table + "\n"
                + "table ip " + table + " {\n"
                + "  chain output {\n"
                + "    type nat hook output priority -100; policy accept;\n"
                + rules
                + "  }\n"
                + "  chain postrouting {\n"
                + "    type nat hook postrouting priority srcnat; policy accept;\n"
                + "    ip saddr 127.0.0.0/8 oifname \"" + bridge + "\" masquerade\n"
                + "  }\n"
                + "  chain filter_output {\n"
                + "    type filter hook output priority filter; policy accept;\n"
                + "    ip daddr " + serviceCidr + " reject\n"
                + "  }\n"
                + "}\n";
    }

    private static String dnat(List<VirtualService.Backend> backends) {
        if (backends.size() == 1) {
            return "dnat ip to " + backends.get(0).ip() + ":" + backends.get(0).port();
        }
        return "dnat ip to numgen random mod " + backends.size() + " map { "
                + IntStream.range(0, backends.size()).mapToObj(i -> i + " : " + backends.get(i).ip() + " . " + backends.get(i).port())
                        .collect(Collectors.joining(", "))
                + " }";
    }
}
