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
 * passt's socket in the run directory ({@link Netdev.Stream}). Any other interface — on a network this node does not
 * wire (multus), or every interface when the node has no pod network (an agent that is not root) — is QEMU user-mode
 * networking with {@code restrict=on}. A binding the converter refuses (sriov, slirp, a plugin) is left to its message.
 *
 * @param name the interface's (and its network's) name
 * @param tap the tap's name in the pod's namespace ({@code tap<n>}), null unless bridge or masquerade
 * @param ports the declared {@code ports} (masquerade and passt forward only these when any is declared)
 */
public record GuestNic(String name, Kind kind, Netdev netdev, String tap, List<GuestPort> ports) {
    public enum Kind { BRIDGE, MASQUERADE, PASST, USER_MODE }

    /** The first descriptor number a tap gets in QEMU (0-2 are its standard streams). */
    static final int FIRST_FD = 3;

    /**
     * The interfaces of {@code spec} in order. {@code podNetwork}: whether this node wires the pod network;
     * {@code runDirectory}: the pod's run directory (passt's socket).
     */
    public static List<GuestNic> of(JsonNode spec, boolean podNetwork, Path runDirectory) {
        List<String> podNetworks = new ArrayList<>();
        for (JsonNode n : spec.path("networks")) {
            if (n.has("pod")) podNetworks.add(n.path("name").asText());
        }
        List<GuestNic> nics = new ArrayList<>();
        int taps = 0;
        for (JsonNode nic : spec.path("domain").path("devices").path("interfaces")) {
            String name = nic.path("name").asText();
            List<GuestPort> ports = new ArrayList<>();
            for (JsonNode p : nic.path("ports")) {
                ports.add(new GuestPort(p.path("port").asInt(), p.path("protocol").asText("")));
            }
            Kind kind = !podNetwork || !podNetworks.contains(name) ? Kind.USER_MODE
                    : nic.has("bridge") ? Kind.BRIDGE : nic.has("masquerade") ? Kind.MASQUERADE
                    : nic.has("passtBinding") ? Kind.PASST : Kind.USER_MODE;
            nics.add(switch (kind) {
                case BRIDGE, MASQUERADE -> {
                    int n = taps++;
                    yield new GuestNic(name, kind, new Netdev.TapFd(FIRST_FD + n), "tap" + n, ports);
                }
                case PASST -> new GuestNic(name, kind, new Netdev.Stream(runDirectory.resolve(PasstBinding.SOCKET).toString()), null, ports);
                case USER_MODE -> new GuestNic(name, kind, new Netdev.UserMode(true), null, ports);
            });
        }
        return nics;
    }

    /** Whether this interface is on the pod network (its status reports the pod's addresses). */
    public boolean onPodNetwork() {
        return kind != Kind.USER_MODE;
    }
}
