package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.converter.Netdev;
import io.jvirt.network.binding.GuestPort;
import io.jvirt.network.binding.PasstBinding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How one VMI interface reaches its network on this node (pure, from the VMI spec): an interface on the pod network
 * ({@code networks[].pod}) with KubeVirt's {@code bridge} or {@code masquerade} binding gets a tap in the pod's
 * namespace, handed to QEMU as descriptor {@code 3 + n} ({@link Netdev.TapFd}); with {@code passtBinding} QEMU joins
 * passt's socket in the run directory ({@link Netdev.Stream}). An interface on a multus secondary network
 * ({@code networks[].multus}, not {@code default}) with the {@code bridge} binding (KubeVirt's for secondary
 * interfaces) gets a tap too, on the pod's {@code net<n>} (the n-th such network in {@code networks} order, as multus
 * names them), which the agent makes from the NetworkAttachmentDefinition {@code networkName} names. The interface on
 * the {@code multus.default} network is the pod network's, on {@code eth0}: the pod runner made that {@code eth0} from
 * the definition instead of the node's pod network. Any other interface — another binding on a secondary network
 * (admission refuses masquerade and passt there), or every interface when the node has no pod network (an agent that
 * is not root) — is QEMU user-mode networking with {@code restrict=on}.
 * A binding the converter refuses (sriov, slirp, a plugin) is left to its message.
 *
 * @param name the interface's (and its network's) name
 * @param tap the tap's name in the pod's namespace ({@code tap<n>}), null unless bridge or masquerade
 * @param ports the declared {@code ports} (masquerade and passt forward only these when any is declared)
 * @param podInterface the pod's interface the guest's traffic leaves by: {@code eth0} on the pod network,
 *     {@code net<n>} on a secondary network; null for user-mode networking
 * @param attachment the secondary network's {@code multus.networkName} ({@code [namespace/]name}), else null
 */
public record GuestNic(String name, Kind kind, Netdev netdev, String tap, List<GuestPort> ports, String podInterface, String attachment) {
    public enum Kind { BRIDGE, MASQUERADE, PASST, USER_MODE }

    /** The first descriptor number a tap gets in QEMU (0-2 are its standard streams). */
    static final int FIRST_FD = 3;

    /**
     * The interfaces of {@code spec} in order. {@code podNetwork}: whether this node wires the pod network;
     * {@code runDirectory}: the pod's run directory (passt's socket).
     */
    public static List<GuestNic> of(JsonNode spec, boolean podNetwork, Path runDirectory) {
        java.util.Set<String> podNetworks = podNetworks(spec);
        java.util.Map<String, String> secondaries = new java.util.LinkedHashMap<>(); // network name -> networkName
        for (JsonNode n : spec.path("networks")) {
            if (n.path("multus").path("networkName").isTextual() && !n.path("multus").path("default").asBoolean(false)) {
                secondaries.put(n.path("name").asText(), n.path("multus").path("networkName").asText());
            }
        }
        List<String> secondaryOrder = List.copyOf(secondaries.keySet());
        List<GuestNic> nics = new ArrayList<>();
        int taps = 0;
        for (JsonNode nic : spec.path("domain").path("devices").path("interfaces")) {
            String name = nic.path("name").asText();
            List<GuestPort> ports = new ArrayList<>();
            for (JsonNode p : nic.path("ports")) {
                ports.add(new GuestPort(p.path("port").asInt(), p.path("protocol").asText("")));
            }
            boolean secondary = secondaries.containsKey(name);
            Kind kind = !podNetwork ? Kind.USER_MODE
                    : secondary ? (nic.has("bridge") ? Kind.BRIDGE : Kind.USER_MODE)
                    : !podNetworks.contains(name) ? Kind.USER_MODE
                    : nic.has("bridge") ? Kind.BRIDGE : nic.has("masquerade") ? Kind.MASQUERADE
                    : nic.has("passtBinding") ? Kind.PASST : Kind.USER_MODE;
            String podInterface = kind == Kind.USER_MODE ? null
                    : secondary ? "net" + (secondaryOrder.indexOf(name) + 1) : io.jvirt.network.PodNetwork.POD_INTERFACE;
            String attachment = kind == Kind.USER_MODE ? null : secondaries.get(name);
            nics.add(switch (kind) {
                case BRIDGE, MASQUERADE -> {
                    int n = taps++;
                    yield new GuestNic(name, kind, new Netdev.TapFd(FIRST_FD + n), "tap" + n, ports, podInterface, attachment);
                }
                case PASST -> new GuestNic(name, kind, new Netdev.Stream(runDirectory.resolve(PasstBinding.SOCKET).toString()), null, ports,
                        podInterface, null);
                case USER_MODE -> new GuestNic(name, kind, new Netdev.UserMode(true), null, ports, null, null);
            });
        }
        return nics;
    }

    /**
     * The names of {@code spec}'s networks that are the pod's {@code eth0}: the pod network, or the multus default network
     * replacing it (admission allows one of them).
     */
    static java.util.Set<String> podNetworks(JsonNode spec) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (JsonNode n : spec.path("networks")) {
            if (n.has("pod") || n.path("multus").path("default").asBoolean(false)) names.add(n.path("name").asText());
        }
        return names;
    }

    /** Whether this interface is on the pod network (its status reports the pod's addresses). */
    public boolean onPodNetwork() {
        return kind != Kind.USER_MODE && attachment == null;
    }
}
