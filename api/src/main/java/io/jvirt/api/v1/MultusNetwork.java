package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A network from a multus NetworkAttachmentDefinition ({@code v1.MultusNetwork}): a secondary network, or with
 * {@code default: true} the one that replaces the pod network.
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param networkName the definition, {@code [namespace/]name} (the VMI's namespace when none)
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MultusNetwork(
        String networkName,
        @JsonProperty("default") Boolean isDefault,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
    /**
     * Multus' launcher pod annotation naming the definition that replaces the pod network ({@code [namespace/]name}):
     * the VMI controller sets it from the multus default network; whoever sets up the pod's {@code eth0} (multus, the
     * node agent in embedded mode) runs that definition instead of the node's pod network.
     */
    public static final String DEFAULT_NETWORK_ANNOTATION = "v1.multus-cni.io/default-network";

    /** The {@code networkName} of the multus default network among {@code networks}, empty when none is (admission allows one). */
    public static java.util.Optional<String> defaultOf(java.util.List<Network> networks) {
        return networks == null ? java.util.Optional.empty() : networks.stream()
                .filter(n -> n.multus() != null && Boolean.TRUE.equals(n.multus().isDefault()) && n.multus().networkName() != null)
                .map(n -> n.multus().networkName()).findFirst();
    }
}
