package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The address at which a VMI's guest is reached from inside its launcher pod's network namespace (for
 * {@code portforward}): the interface on the pod network ({@code networks[].pod}) decides. With the {@code masquerade}
 * binding the guest sits behind NAT at KubeVirt's fixed 10.0.2.2; with any other binding (bridge, passt) it holds the
 * address the node reported in {@code status.interfaces[].ipAddress} for that interface. Empty when the VMI has no pod
 * network interface or no address reported yet. Pure.
 */
public final class GuestAddress {
    /** KubeVirt's masquerade guest address (the network driver's {@code MasqueradeBinding.GUEST}). */
    static final String MASQUERADE_GUEST = "10.0.2.2";

    private GuestAddress() {}

    public static Optional<String> of(JsonNode vmi) {
        String network = null;
        for (JsonNode n : vmi.path("spec").path("networks")) {
            if (n.has("pod")) network = n.path("name").asText();
        }
        if (network == null) return Optional.empty();
        for (JsonNode nic : vmi.path("spec").path("domain").path("devices").path("interfaces")) {
            if (!nic.path("name").asText().equals(network)) continue;
            if (nic.has("masquerade")) return Optional.of(MASQUERADE_GUEST);
            for (JsonNode status : vmi.path("status").path("interfaces")) {
                String ip = status.path("ipAddress").asText("");
                if (status.path("name").asText().equals(network) && !ip.isEmpty()) return Optional.of(ip);
            }
        }
        return Optional.empty();
    }
}
