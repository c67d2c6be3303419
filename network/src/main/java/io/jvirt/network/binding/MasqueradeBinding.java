package io.jvirt.network.binding;

import io.jvirt.network.Ipv4;
import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.PodNetwork;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.dhcp.DhcpLease;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * KubeVirt's {@code masquerade} binding: the guest lives behind NAT inside the pod's namespace. The guest's
 * device gets the gateway 10.0.2.1/24, the guest 10.0.2.2 by DHCP (router 10.0.2.1, MTU of {@code eth0}, name
 * servers, host name). nftables in the pod's namespace ({@code table ip jvirt}): connections arriving on
 * {@code eth0} for the declared {@code ports} (every TCP and UDP port when none is declared) are DNATed to the
 * guest and SNATed to the gateway; the guest's own traffic leaves masqueraded as the pod's address. A port not
 * declared reaches the pod's namespace itself, where nothing listens. The pod's namespace forwards (its own
 * {@code ip_forward}); the host's forwarding is untouched.
 *
 * <p>When the pod has an IPv6 address on {@code eth0} (a dual-stack pod network) the same again for IPv6, with KubeVirt's
 * addresses: the device also holds {@code fd10:0:2::1/120}, the guest is {@code fd10:0:2::2} ({@code table ip6 jvirt},
 * the namespace's own IPv6 forwarding on). The guest configures that address itself (cloud-init network-config, as
 * KubeVirt's masquerade example does): no DHCPv6 or router advertisement is served.
 *
 * @param ports the VMI interface's {@code ports} (empty: all)
 */
public record MasqueradeBinding(List<GuestPort> ports) implements Binding {
    public static final String GATEWAY = "10.0.2.1";
    public static final String GUEST = "10.0.2.2";
    public static final int PREFIX = 24;
    public static final String GATEWAY6 = "fd10:0:2::1";
    public static final String GUEST6 = "fd10:0:2::2";
    public static final int PREFIX6 = 120;

    public MasqueradeBinding {
        ports = List.copyOf(ports);
    }

    @Override
    public DhcpLease plug(NetworkNamespace netns, CniResult pod, GuestInterface guest) throws IOException {
        String eth0 = PodNetwork.POD_INTERFACE;
        pod.ipv4On(eth0).orElseThrow(() -> new IOException("the pod has no IPv4 address on " + eth0));
        boolean ipv6 = pod.ipv6On(eth0).isPresent();
        int mtu = Binding.mtu(netns, eth0);
        List<String> steps = new java.util.ArrayList<>(List.of("link set " + guest.device() + " mtu " + mtu,
                "addr add " + GATEWAY + "/" + PREFIX + " dev " + guest.device()));
        if (ipv6) {
            steps.add("addr add " + GATEWAY6 + "/" + PREFIX6 + " dev " + guest.device() + " nodad");
        }
        steps.add("link set " + guest.device() + " up");
        netns.ip(steps.toArray(String[]::new));
        netns.run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        if (ipv6) {
            netns.run("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
        }
        netns.runWithInput(ruleset(guest.device(), ipv6), "nft", "-f", "-");
        return new DhcpLease(guest.mac(), Ipv4.address(GUEST), PREFIX, Ipv4.address(GATEWAY), Binding.addresses(guest.dns()), mtu,
                guest.hostname(), Ipv4.address(GATEWAY));
    }

    /** The pod namespace's nftables ruleset for a guest behind {@code device}, IPv6's table too when {@code ipv6}. Pure. */
    String ruleset(String device, boolean ipv6) {
        return table("ip", GUEST, GATEWAY, device) + (ipv6 ? table("ip6", GUEST6, GATEWAY6, device) : "");
    }

    private String table(String family, String guestAddress, String gatewayAddress, String device) {
        String eth0 = PodNetwork.POD_INTERFACE;
        StringBuilder dnat = new StringBuilder();
        if (ports.isEmpty()) {
            dnat.append("    iifname \"").append(eth0).append("\" meta l4proto { tcp, udp } dnat to ").append(guestAddress).append('\n');
        } else {
            for (String protocol : List.of("tcp", "udp")) {
                String list = ports.stream().filter(p -> p.protocol().equals(protocol)).map(p -> Integer.toString(p.port()))
                        .distinct().collect(Collectors.joining(", "));
                if (!list.isEmpty()) {
                    dnat.append("    iifname \"").append(eth0).append("\" ").append(protocol).append(" dport { ").append(list)
                            .append(" } dnat to ").append(guestAddress).append('\n');
                }
            }
        }
        return "table " + family + " jvirt {\n"
                + "  chain prerouting {\n"
                + "    type nat hook prerouting priority dstnat; policy accept;\n"
                + dnat
                + "  }\n"
                + "  chain postrouting {\n"
                + "    type nat hook postrouting priority srcnat; policy accept;\n"
                + "    oifname \"" + eth0 + "\" " + family + " saddr " + guestAddress + " masquerade\n"
                + "    oifname \"" + device + "\" " + family + " daddr " + guestAddress + " snat to " + gatewayAddress + "\n"
                + "  }\n"
                + "}\n";
    }
}
