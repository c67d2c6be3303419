package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.store.KeyPrefix;
import io.jvirt.store.ListOptions;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The KubeVirt CR's {@code spec.configuration} as KubeVirt's webhooks read it, with KubeVirt's defaults for what it
 * leaves out. An immutable snapshot; {@link #of(ObjectStore)} reads the CR again at each call, so a change applies to
 * the next write, as KubeVirt's webhooks follow the CR. No CR: every default.
 */
public record ClusterConfig(JsonNode configuration) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** KubeVirt's defaults: no CR. */
    public static final ClusterConfig DEFAULTS = new ClusterConfig(JSON.createObjectNode());
    /** KubeVirt's {@code DefaultAMD64MachineType}. */
    static final String DEFAULT_MACHINE_TYPE = "q35";
    /** KubeVirt's {@code DefaultAMD64EmulatedMachines}: the machine types a VMI may ask for, as shell patterns. */
    static final List<String> DEFAULT_EMULATED_MACHINES = List.of("q35*", "pc-q35*");

    public ClusterConfig {
        configuration = configuration == null || !configuration.isObject() ? JSON.createObjectNode() : configuration;
    }

    /** The configuration of the first {@code kubevirts.kubevirt.io} object in {@code store}, read at each call. */
    public static Supplier<ClusterConfig> of(ObjectStore store) {
        return () -> {
            for (StoredObject kv : store.list(KeyPrefix.of("kubevirt.io", "kubevirts"), new ListOptions(1, null, o -> true)).items()) {
                try {
                    return new ClusterConfig(JSON.readTree(kv.json()).path("spec").path("configuration"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return DEFAULTS;
        };
    }

    /** KubeVirt's defaults with {@code gates} enabled (tests). */
    public static ClusterConfig withFeatureGates(Set<String> gates) {
        ObjectNode config = JSON.createObjectNode();
        ArrayNode list = config.putObject("developerConfiguration").putArray("featureGates");
        gates.forEach(list::add);
        return new ClusterConfig(config);
    }

    /** {@code developerConfiguration.featureGates} less {@code disabledFeatureGates}. */
    public Set<String> featureGates() {
        Set<String> gates = new HashSet<>();
        JsonNode developer = configuration.path("developerConfiguration");
        developer.path("featureGates").forEach(g -> gates.add(g.asText()));
        developer.path("disabledFeatureGates").forEach(g -> gates.remove(g.asText()));
        return gates;
    }

    /** {@code network.defaultNetworkInterface}: the binding of the pod interface a VMI without any gets; KubeVirt's default {@code bridge}. */
    public String defaultNetworkInterface() {
        return text(configuration.path("network").path("defaultNetworkInterface"), "bridge");
    }

    /** {@code network.permitBridgeInterfaceOnPodNetwork}, true unless set to false. */
    public boolean bridgeOnPodNetworkPermitted() {
        return configuration.path("network").path("permitBridgeInterfaceOnPodNetwork").asBoolean(true);
    }

    /** The machine type of a VMI that names none: {@code machineType}, else {@code architectureConfiguration.amd64.machineType}, else q35. */
    public String machineType() {
        String legacy = text(configuration.path("machineType"), "");
        return !legacy.isEmpty() ? legacy
                : text(configuration.path("architectureConfiguration").path("amd64").path("machineType"), DEFAULT_MACHINE_TYPE);
    }

    /** {@code emulatedMachines}, else {@code architectureConfiguration.amd64.emulatedMachines}, else KubeVirt's default patterns. */
    public List<String> emulatedMachines() {
        for (JsonNode list : List.of(configuration.path("emulatedMachines"),
                configuration.path("architectureConfiguration").path("amd64").path("emulatedMachines"))) {
            if (list.isArray() && !list.isEmpty()) {
                List<String> patterns = new ArrayList<>();
                list.forEach(p -> patterns.add(p.asText()));
                return patterns;
            }
        }
        return DEFAULT_EMULATED_MACHINES;
    }

    /** {@code cpuModel}: the CPU model of a VMI that names none; KubeVirt's default {@code host-model}. */
    public String cpuModel() {
        return text(configuration.path("cpuModel"), "host-model");
    }

    /** {@code evictionStrategy}, or null when the CR sets none. */
    public String evictionStrategy() {
        return text(configuration.path("evictionStrategy"), null);
    }

    private static String text(JsonNode node, String otherwise) {
        return node.isTextual() && !node.asText().isEmpty() ? node.asText() : otherwise;
    }
}
