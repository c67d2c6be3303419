package io.jvirt.network.binding;

import io.jvirt.network.Ipv4;
import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.PodNetwork;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.dhcp.DhcpLease;
import java.io.IOException;

/**
 * KubeVirt's {@code bridge} binding: the pod's address moves from {@code eth0} to the guest. In the pod's namespace
 * a bridge {@code k6t-eth0} joins {@code eth0} and the guest's device; {@code eth0} loses its address (the guest
 * answers for it now), and the bridge holds only a link-local address (169.254.75.10/32), from which the DHCP
 * server hands the guest the pod's address, prefix, gateway, MTU, name servers and host name.
 */
public record BridgeBinding() implements Binding {
    public static final String BRIDGE = "k6t-eth0";
    /** The bridge's own address (link-local): the DHCP server identifier. */
    public static final String SERVER = "169.254.75.10";

    @Override
    public DhcpLease plug(NetworkNamespace netns, CniResult pod, GuestInterface guest) throws IOException {
        String eth0 = PodNetwork.POD_INTERFACE;
        CniResult.IpConfig ip = pod.ipv4On(eth0).orElseThrow(() -> new IOException("the pod has no IPv4 address on " + eth0));
        int mtu = Binding.mtu(netns, eth0);
        String mtuText = Integer.toString(mtu);
        netns.run("ip", "link", "add", BRIDGE, "type", "bridge");
        netns.run("ip", "link", "set", BRIDGE, "mtu", mtuText);
        netns.run("ip", "addr", "del", ip.address(), "dev", eth0);
        netns.run("ip", "link", "set", eth0, "master", BRIDGE);
        netns.run("ip", "link", "set", guest.device(), "mtu", mtuText);
        netns.run("ip", "link", "set", guest.device(), "master", BRIDGE);
        netns.run("ip", "link", "set", guest.device(), "up");
        netns.run("ip", "addr", "add", SERVER + "/32", "dev", BRIDGE);
        netns.run("ip", "link", "set", BRIDGE, "up");
        int gateway = ip.gateway().isEmpty() ? 0 : Ipv4.address(ip.gateway());
        return new DhcpLease(guest.mac(), Ipv4.address(ip.ip()), ip.prefixLength(), gateway, Binding.addresses(guest.dns()), mtu,
                guest.hostname(), Ipv4.address(SERVER));
    }
}
