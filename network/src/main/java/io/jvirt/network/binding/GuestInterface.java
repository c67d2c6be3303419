package io.jvirt.network.binding;

import java.util.List;
import java.util.Objects;

/**
 * What a binding needs to know of the guest NIC it plugs: the pod-namespace device QEMU's NIC sits on (a tap the
 * agent opened, {@code TapDevice}), the NIC's MAC, the guest's host name and the name servers it is told of.
 *
 * @param device the guest-facing device in the pod's namespace (already created: a tap, or in tests a veth)
 */
public record GuestInterface(String device, String mac, String hostname, List<String> dns) {
    public GuestInterface {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(mac, "mac");
        dns = List.copyOf(dns);
    }
}
