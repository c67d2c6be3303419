package io.jvirt.network.binding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    ObjectMapper JSON = new ObjectMapper();

    /** Wires {@code guest.device()} in {@code netns} to the pod's interface; returns the guest's lease. Not idempotent. */
    DhcpLease plug(NetworkNamespace netns, CniResult pod, GuestInterface guest) throws IOException;

    /** The MTU of {@code device} in {@code netns}. */
    static int mtu(NetworkNamespace netns, String device) throws IOException {
        JsonNode links = JSON.readTree(netns.run("ip", "-j", "link", "show", "dev", device));
        return links.path(0).path("mtu").asInt(1500);
    }

    static List<Integer> addresses(List<String> dns) {
        return dns.stream().map(Ipv4::address).toList();
    }
}
