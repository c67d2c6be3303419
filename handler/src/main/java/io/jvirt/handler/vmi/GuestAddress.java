package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Where a VMI's guest is reached for {@code portforward}: the interface on the pod network ({@code networks[].pod})
 * decides. With the {@code masquerade} binding the guest sits behind NAT at KubeVirt's fixed 10.0.2.2, which exists
 * only inside the launcher pod's network namespace: the connection is made from in there. With any other binding
 * (bridge, passt) the guest holds the address the node reported in {@code status.interfaces[].ipAddress}: a pod address
 * on the node's own pod bridge, reached from the node's namespace (inside a bridge-bound pod the address has no route:
 * {@code eth0} gave it to the guest). Empty when the VMI has no pod network interface or no address reported yet. Pure.
 *
 * @param address the guest's IPv4 address
 * @param insidePod whether it is reached from inside the pod's network namespace
 */
public record GuestAddress(String address, boolean insidePod) {
    /** KubeVirt's masquerade guest address (the network driver's {@code MasqueradeBinding.GUEST}). */
    static final String MASQUERADE_GUEST = "10.0.2.2";

    public static Optional<GuestAddress> of(JsonNode vmi) {
        String network = null;
        for (JsonNode n : vmi.path("spec").path("networks")) {
            if (n.has("pod")) network = n.path("name").asText();
        }
        if (network == null) return Optional.empty();
        for (JsonNode nic : vmi.path("spec").path("domain").path("devices").path("interfaces")) {
            if (!nic.path("name").asText().equals(network)) continue;
            if (nic.has("masquerade")) return Optional.of(new GuestAddress(MASQUERADE_GUEST, true));
            for (JsonNode status : vmi.path("status").path("interfaces")) {
                String ip = status.path("ipAddress").asText("");
                if (status.path("name").asText().equals(network) && !ip.isEmpty()) return Optional.of(new GuestAddress(ip, false));
            }
        }
        return Optional.empty();
    }
}
