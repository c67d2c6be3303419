package io.jvirt.network.binding;

import io.jvirt.network.Ipv4;
import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.dhcp.DhcpLease;
import java.io.IOException;
import java.util.List;

/**
 * The guest side of one VMI interface inside its pod's network namespace, after CNI gave the pod {@code eth0}:
 * KubeVirt's {@code bridge} and {@code masquerade} bindings. {@link #plug} wires the guest-facing device and returns
 * the lease the guest's DHCP client is to get (served by {@code DhcpServer}). The namespace is the pod's: what a
 * binding makes there goes with it, so there is nothing to unplug. Implementations are stateless.
 */
public sealed interface Binding permits BridgeBinding, MasqueradeBinding {
    /** The MTU in {@code ip link show}'s first line. */
    java.util.regex.Pattern MTU = java.util.regex.Pattern.compile(" mtu (\\d+) ");

    /** Wires {@code guest.device()} in {@code netns} to the pod's interface; returns the guest's lease. Not idempotent. */
    DhcpLease plug(NetworkNamespace netns, CniResult pod, GuestInterface guest) throws IOException;

    /** The MTU of {@code device} in {@code netns}. */
    static int mtu(NetworkNamespace netns, String device) throws IOException {
        java.util.regex.Matcher mtu = MTU.matcher(netns.ip("link show dev " + device));
        return mtu.find() ? Integer.parseInt(mtu.group(1)) : 1500;
    }

    static List<Integer> addresses(List<String> dns) {
        return dns.stream().map(Ipv4::address).toList();
    }
}
