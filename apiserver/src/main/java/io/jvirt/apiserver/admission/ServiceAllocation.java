package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.api.network.ServiceNetwork;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.validation.FieldErrors;
import io.jvirt.store.KeyPrefix;
import io.jvirt.store.ListOptions;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.StoredObject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * kube-apiserver's Service IP and node port allocation: a Service (not ExternalName, not headless {@code None}) gets a
 * free cluster IP from the service CIDR ({@link ServiceNetwork#CLUSTER_IP_RANGE}, kube's default) at random, and {@code clusterIPs},
 * {@code ipFamilies: [IPv4]}, {@code ipFamilyPolicy: SingleStack}; each port of a NodePort or LoadBalancer Service gets a
 * free node port of 30000-32767. Asked-for values are checked with kube's messages (422: "provided IP is already
 * allocated", "provided port is already allocated", outside the range); a cluster IP may not change on update and one
 * left out is kept, as are the node ports of ports that stay; a ClusterIP Service may carry no node port. What is taken
 * is read from the stored Services at each write, plus what this server handed out in the last minute (a create still
 * on its way to the store). Thread-safe (one allocation at a time).
 */
public final class ServiceAllocation implements MutatingAdmitter {
    static final String SERVICE_CIDR = ServiceNetwork.CLUSTER_IP_RANGE;
    static final int NETWORK = (10 << 24) | (96 << 16);
    static final int SIZE = 1 << 20;
    static final int NODE_PORT_MIN = ServiceNetwork.NODE_PORT_MIN;
    static final int NODE_PORT_MAX = ServiceNetwork.NODE_PORT_MAX;
    private static final Duration PENDING = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final Random random = new Random();
    /** Handed out lately, maybe not stored yet: value → (owner namespace/name, when). */
    private record Pending(String owner, Instant at) {}

    private final Map<String, Pending> pendingIps = new HashMap<>();
    private final Map<Integer, Pending> pendingPorts = new HashMap<>();

    public ServiceAllocation(ObjectStore store) {
        this.store = store;
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        return r.subresource() == null && r.type().group().isEmpty() && r.type().plural().equals("services")
                && (r.operation() == Operation.CREATE || r.operation() == Operation.UPDATE) && r.object().path("spec").isObject();
    }

    @Override
    public synchronized void mutate(AdmissionRequest r) {
        ObjectNode service = r.object();
        ObjectNode spec = (ObjectNode) service.get("spec");
        String namespace = service.path("metadata").path("namespace").asText("");
        String name = service.path("metadata").path("name").asText("");
        JsonNode old = r.oldObject() == null ? null : r.oldObject().path("spec");
        Instant now = Instant.now();
        String self = namespace + "/" + name;
        pendingIps.values().removeIf(p -> p.at().isBefore(now.minus(PENDING)));
        pendingPorts.values().removeIf(p -> p.at().isBefore(now.minus(PENDING)));
        Set<String> ips = new HashSet<>();
        pendingIps.forEach((ip, p) -> {
            if (!p.owner().equals(self)) ips.add(ip);
        });
        Set<Integer> ports = new HashSet<>();
        pendingPorts.forEach((port, p) -> {
            if (!p.owner().equals(self)) ports.add(port);
        });
        taken(self, ips, ports);
        List<Cause> causes = new ArrayList<>();
        String type = spec.path("type").asText("ClusterIP");
        String ip = type.equals("ExternalName") ? null : clusterIp(spec, old, ips, causes);
        List<Integer> nodePorts = nodePorts(spec, old, type, ports, causes);
        if (!causes.isEmpty()) throw ApiException.invalid("Service", "", "services", name, causes);
        if (ip != null) {
            spec.put("clusterIP", ip);
            spec.putArray("clusterIPs").add(ip);
            if (!ip.equals("None")) {
                if (!spec.has("ipFamilies")) spec.putArray("ipFamilies").add("IPv4");
                if (!spec.has("ipFamilyPolicy")) spec.put("ipFamilyPolicy", "SingleStack");
            }
            if (!spec.has("sessionAffinity")) spec.put("sessionAffinity", "None");
            if (!spec.has("internalTrafficPolicy")) spec.put("internalTrafficPolicy", "Cluster");
        }
        if (!nodePorts.isEmpty() && !spec.has("externalTrafficPolicy")) spec.put("externalTrafficPolicy", "Cluster");
        if (r.dryRun()) return;
        if (ip != null && !ip.equals("None")) pendingIps.put(ip, new Pending(self, now));
        nodePorts.forEach(p -> pendingPorts.put(p, new Pending(self, now)));
    }

    /** The cluster IP the Service gets ({@code None} for headless), or null after adding the cause. */
    private String clusterIp(ObjectNode spec, JsonNode old, Set<String> taken, List<Cause> causes) {
        String asked = spec.path("clusterIP").asText("");
        String before = old == null ? "" : old.path("clusterIP").asText("");
        if (!before.isEmpty()) {
            if (asked.isEmpty() || asked.equals(before)) return before;
            causes.add(FieldErrors.invalid("spec.clusterIPs[0]", asked, "may not change once set"));
            return null;
        }
        if (asked.equals("None")) return asked;
        if (asked.isEmpty()) {
            if (taken.size() >= SIZE - 2) {
                causes.add(FieldErrors.invalid("spec.clusterIPs", "", "failed to allocate IP: range is full"));
                return null;
            }
            while (true) {
                String candidate = text(NETWORK + 1 + random.nextInt(SIZE - 2));
                if (!taken.contains(candidate)) return candidate;
            }
        }
        Integer address = parse(asked);
        String detail = address == null ? "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
                : (address - NETWORK) <= 0 || (address - NETWORK) >= SIZE - 1
                        ? "failed to allocate IP " + asked + ": the provided IP (" + asked + ") is not in the valid range. The range of valid IPs is " + SERVICE_CIDR
                : taken.contains(asked) ? "failed to allocate IP " + asked + ": provided IP is already allocated" : null;
        if (detail == null) return asked;
        causes.add(Cause.invalid("spec.clusterIPs", "Invalid value: []string{\"" + asked + "\"}: " + detail));
        return null;
    }

    /** Fills in each port's node port (NodePort, LoadBalancer); the ones handed out. */
    private List<Integer> nodePorts(ObjectNode spec, JsonNode old, String type, Set<Integer> taken, List<Cause> causes) {
        List<Integer> out = new ArrayList<>();
        JsonNode ports = spec.path("ports");
        boolean wanted = type.equals("NodePort") || type.equals("LoadBalancer");
        Set<Integer> mine = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            if (!(ports.get(i) instanceof ObjectNode port)) continue;
            String field = "spec.ports[" + i + "].nodePort";
            int asked = port.path("nodePort").asInt(0);
            if (!wanted) {
                if (asked != 0) causes.add(new Cause("FieldValueForbidden", "Forbidden: may not be used when `type` is '" + type + "'", field));
                continue;
            }
            int kept = asked == 0 ? previousNodePort(old, port) : asked;
            if (kept == 0) {
                kept = freePort(taken, mine);
                if (kept == 0) {
                    causes.add(FieldErrors.invalid(field, 0, "failed to allocate a nodePort: range is full"));
                    continue;
                }
            } else if (kept < NODE_PORT_MIN || kept > NODE_PORT_MAX) {
                causes.add(FieldErrors.invalid(field, kept, "provided port is not in the valid range. The range of valid ports is "
                        + NODE_PORT_MIN + "-" + NODE_PORT_MAX));
                continue;
            } else if ((taken.contains(kept) && !wasMine(old, kept)) || mine.contains(kept)) {
                causes.add(FieldErrors.invalid(field, kept, "provided port is already allocated"));
                continue;
            }
            mine.add(kept);
            port.put("nodePort", kept);
            out.add(kept);
        }
        return out;
    }

    /** The node port the stored Service had for the same port (by name, else number and protocol). */
    private static int previousNodePort(JsonNode old, JsonNode port) {
        if (old == null) return 0;
        for (JsonNode p : old.path("ports")) {
            boolean same = port.hasNonNull("name") && !port.path("name").asText().isEmpty()
                    ? p.path("name").asText().equals(port.path("name").asText())
                    : p.path("port").asInt() == port.path("port").asInt() && p.path("protocol").asText("TCP").equals(port.path("protocol").asText("TCP"));
            if (same && p.path("nodePort").asInt(0) != 0) return p.path("nodePort").asInt();
        }
        return 0;
    }

    private static boolean wasMine(JsonNode old, int nodePort) {
        if (old == null) return false;
        for (JsonNode p : old.path("ports")) if (p.path("nodePort").asInt(0) == nodePort) return true;
        return false;
    }

    private int freePort(Set<Integer> taken, Set<Integer> mine) {
        int span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
        int start = random.nextInt(span);
        for (int i = 0; i < span; i++) {
            int candidate = NODE_PORT_MIN + (start + i) % span;
            if (!taken.contains(candidate) && !mine.contains(candidate)) return candidate;
        }
        return 0;
    }

    /** The cluster IPs and node ports of every stored Service but {@code self} (namespace/name). */
    private void taken(String self, Set<String> ips, Set<Integer> ports) {
        for (StoredObject o : store.list(KeyPrefix.of("", "services"), ListOptions.ALL).items()) {
            JsonNode s;
            try {
                s = JSON.readTree(o.json());
            } catch (IOException e) {
                continue;
            }
            String key = s.path("metadata").path("namespace").asText() + "/" + s.path("metadata").path("name").asText();
            if (key.equals(self)) continue;
            String ip = s.path("spec").path("clusterIP").asText("");
            if (!ip.isEmpty() && !ip.equals("None")) ips.add(ip);
            for (JsonNode p : s.path("spec").path("ports")) {
                if (p.path("nodePort").asInt(0) != 0) ports.add(p.path("nodePort").asInt());
            }
        }
    }

    private static Integer parse(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) return null;
        int value = 0;
        for (String part : parts) {
            if (!part.matches("\\d{1,3}") || Integer.parseInt(part) > 255) return null;
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }

    private static String text(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }
}
