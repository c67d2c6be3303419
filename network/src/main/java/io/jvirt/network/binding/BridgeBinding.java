package io.jvirt.network.binding;

import io.jvirt.network.Ipv4;
import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.PodNetwork;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.dhcp.DhcpLease;
import java.io.IOException;

/**
 * KubeVirt's {@code bridge} binding: the pod interface's address moves to the guest. In the pod's namespace a bridge
 * {@code k6t-<pod interface>} joins the pod interface ({@code eth0}, or a secondary network's {@code net<n>}) and the
 * guest's device; the pod interface loses its address (the guest answers for it now), and the bridge holds only a
 * link-local address (169.254.75.10/32 for {@code eth0}, .11 for {@code net1}, …: each bridge's DHCP server needs one
 * of its own), from which the DHCP server hands the guest the address, prefix, gateway, MTU, name servers and host
 * name. A secondary network's lease has no router (the guest's default route stays on the pod network).
 *
 * @param podInterface the pod's interface the guest takes over ({@code eth0} or {@code net1}…{@code net200})
 */
public record BridgeBinding(String podInterface) implements Binding {
    public static final String BRIDGE = "k6t-eth0";
    /** The {@code eth0} bridge's own address (link-local): the DHCP server identifier. */
    public static final String SERVER = "169.254.75.10";

    public BridgeBinding {
        if (!podInterface.equals(PodNetwork.POD_INTERFACE) && !podInterface.matches("net([1-9]|[1-9][0-9]|1[0-9][0-9]|200)")) {
            throw new IllegalArgumentException("the bridge binding's pod interface is eth0 or net1-net200: " + podInterface);
        }
    }

    /** The binding of the pod network's {@code eth0}. */
    public BridgeBinding() {
        this(PodNetwork.POD_INTERFACE);
    }

    /** The link-local address of this binding's bridge (its DHCP server's). */
    public String server() {
        int n = podInterface.equals(PodNetwork.POD_INTERFACE) ? 0 : Integer.parseInt(podInterface.substring(3));
        return Ipv4.text(Ipv4.address(SERVER) + n);
    }

    @Override
    public DhcpLease plug(NetworkNamespace netns, CniResult pod, GuestInterface guest) throws IOException {
        String iface = podInterface;
        boolean secondary = !iface.equals(PodNetwork.POD_INTERFACE);
        String bridge = "k6t-" + iface;
        CniResult.IpConfig ip = pod.ipv4On(iface).orElseThrow(() -> new IOException("the pod has no IPv4 address on " + iface));
        int mtu = Binding.mtu(netns, iface);
        String device = guest.device();
        netns.ip("link add " + bridge + " type bridge",
                "link set " + bridge + " mtu " + mtu,
                "addr del " + ip.address() + " dev " + iface,
                "link set " + iface + " master " + bridge,
                "link set " + device + " mtu " + mtu,
                "link set " + device + " master " + bridge,
                "link set " + device + " up",
                "addr add " + server() + "/32 dev " + bridge,
                "link set " + bridge + " up");
        int gateway = secondary || ip.gateway().isEmpty() ? 0 : Ipv4.address(ip.gateway());
        return new DhcpLease(guest.mac(), Ipv4.address(ip.ip()), ip.prefixLength(), gateway, Binding.addresses(guest.dns()), mtu,
                guest.hostname(), Ipv4.address(server()));
    }
}
