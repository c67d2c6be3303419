package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.qemu.accel.AccelDecision;
import java.util.List;
import java.util.Map;

/**
 * Applies a domain state to a VMI {@code status} object in place (pure apart from the node it
 * edits): phase (with a phase transition timestamp when it changes), {@code nodeName},
 * {@code reason} for final phases, {@code interfaces} from the spec, QEMU's argv and the pod's addresses, and
 * the conditions the node agent owns (Ready, Paused, SoftwareEmulation, LiveMigratable); other
 * conditions are kept.
 */
public final class VmiStatusUpdate {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final List<String> OWNED = List.of("Ready", "Paused", "SoftwareEmulation", "LiveMigratable");

    private VmiStatusUpdate() {}

    /**
     * @param argv QEMU's argv as started (the interfaces' MACs); empty when not known (then {@code interfaces} is
     *     written only when missing)
     * @param podIps the launcher pod's addresses on the pod network, which the pod network interface reports as
     *     KubeVirt does ({@code ipAddress}, {@code ipAddresses}, {@code podInterfaceName} {@code eth0}); empty without
     * @param secondaries the multus secondary interfaces' addresses and pod interfaces, which their entries report as
     *     KubeVirt does from multus' network status ({@code infoSource} {@code domain, multus-status})
     */
    public static void apply(ObjectNode status, JsonNode spec, VmiStatusMapping m, String reason, String nodeName, AccelDecision accel,
            List<String> argv, List<String> podIps, List<GuestNetwork.Secondary> secondaries, String now) {
        String previous = status.path("phase").asText("");
        if (m.phase() != null && !m.phase().equals(previous)) {
            status.put("phase", m.phase());
            ArrayNode stamps = status.has("phaseTransitionTimestamps") ? (ArrayNode) status.get("phaseTransitionTimestamps")
                    : status.putArray("phaseTransitionTimestamps");
            stamps.addObject().put("phase", m.phase()).put("phaseTransitionTimestamp", now);
        }
        status.put("nodeName", nodeName);
        if (m.finalPhase() && reason != null) {
            status.put("reason", reason);
        }
        status.set("conditions", conditions(status.path("conditions"), m, reason, accel, now));
        if (!argv.isEmpty() || !status.has("interfaces")) {
            status.set("interfaces", interfaces(spec, InterfaceMacs.fromArgv(argv), podIps, secondaries));
        }
    }

    private static ArrayNode conditions(JsonNode current, VmiStatusMapping m, String reason, AccelDecision accel, String now) {
        ArrayNode out = F.arrayNode();
        for (JsonNode c : current) {
            if (!OWNED.contains(c.path("type").asText())) {
                out.add(c);
            }
        }
        out.add(condition(current, "Ready", m.ready() ? "True" : "False", m.ready() ? null : m.readyReason(),
                m.ready() ? null : reason, now));
        if (m.paused()) {
            out.add(condition(current, "Paused", "True", "PausedByUser", "VMI was paused by user", now));
        }
        out.add(condition(current, "SoftwareEmulation", accel.softwareEmulation() ? "True" : "False",
                accel.softwareEmulation() ? "SoftwareEmulation" : "HardwareVirtualization", accel.reason(), now));
        out.add(condition(current, "LiveMigratable", "False", "NotMigratable", "live migration is not supported by this node", now));
        return out;
    }

    /** A condition; its lastTransitionTime is kept when the status did not change. */
    private static ObjectNode condition(JsonNode current, String type, String status, String reason, String message, String now) {
        String since = now;
        for (JsonNode c : current) {
            if (type.equals(c.path("type").asText()) && status.equals(c.path("status").asText()) && c.has("lastTransitionTime")) {
                since = c.path("lastTransitionTime").asText();
            }
        }
        ObjectNode c = F.objectNode().put("type", type).put("status", status).put("lastTransitionTime", since);
        c.putNull("lastProbeTime");
        if (reason != null) {
            c.put("reason", reason);
        }
        if (message != null) {
            c.put("message", message);
        }
        return c;
    }

    private static ArrayNode interfaces(JsonNode spec, Map<String, String> macs, List<String> podIps, List<GuestNetwork.Secondary> secondaries) {
        java.util.Set<String> podNetworks = GuestNic.podNetworks(spec); // the pod network, or the multus default replacing it
        ArrayNode out = F.arrayNode();
        for (JsonNode nic : spec.path("domain").path("devices").path("interfaces")) {
            String name = nic.path("name").asText();
            ObjectNode i = out.addObject();
            GuestNetwork.Secondary secondary = secondaries.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
            List<String> ips = secondary != null ? secondary.ips() : podNetworks.contains(name) ? podIps : List.of();
            if (!ips.isEmpty()) {
                i.put("ipAddress", ips.getFirst());
                ips.forEach(i.putArray("ipAddresses")::add);
            }
            String mac = nic.path("macAddress").asText(macs.get(name));
            if (mac != null && !mac.isEmpty()) {
                i.put("mac", mac);
            }
            i.put("name", name);
            if (secondary != null) {
                i.put("podInterfaceName", secondary.podInterface());
            } else if (podNetworks.contains(name) && !podIps.isEmpty()) {
                i.put("podInterfaceName", io.jvirt.network.PodNetwork.POD_INTERFACE);
            }
            i.put("infoSource", secondary != null ? "domain, multus-status" : "domain");
            i.put("queueCount", 1);
        }
        return out;
    }
}
