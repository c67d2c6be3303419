package io.jvirt.api.instancetype;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.meta.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies an instancetype spec and a preference spec to a VMI spec the way KubeVirt expands a VirtualMachine:
 * the instancetype's values (CPU count and topology, memory, overcommit, hugepages, CPU model and placement,
 * node selector, scheduler, IO threads policy, launch security, GPUs, host devices, annotations) are imposed,
 * and any of them the VMI spec already sets is a <em>conflict</em>; the preference only fills what the VMI spec
 * leaves unset (disk and interface models, devices, features, firmware, machine type, clock, subdomain,
 * termination grace period, annotations) and never conflicts.
 *
 * <p>One deviation from KubeVirt, on purpose: a VMI spec value equal to the one the instancetype gives (KubeVirt's
 * own {@code vm-cirros-csmall.yaml} sets {@code memory.guest: 128Mi} beside the 128Mi {@code csmall}; a socket
 * count equal to the derived topology) is not a conflict; KubeVirt refuses any value there.
 *
 * <p>Pure: works on the trees it is given, changing {@code vmiSpec} and {@code vmiMetadata} in place (callers
 * pass copies). Thread-safe.
 */
public final class Expansion {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The format of KubeVirt's conflict message, one per field ({@code VM field(s) spec.template.spec.domain.memory.guest conflicts with selected instance type}). */
    public static final String CONFLICT_FORMAT = "VM field(s) %s conflicts with selected instance type";

    private Expansion() {}

    /**
     * Applies both specs (either may be {@code null} or missing).
     *
     * @param path the field path of {@code vmiSpec} in the object checked ({@code spec.template.spec} for a VM)
     * @return the field paths in conflict with the instancetype, in KubeVirt's order; when not empty, the
     *         preference was not applied and the spec is half-expanded (callers refuse it)
     */
    public static List<String> apply(ObjectNode vmiSpec, ObjectNode vmiMetadata, JsonNode instancetype, JsonNode preference, String path) {
        JsonNode it = present(instancetype) ? instancetype : null;
        JsonNode pref = present(preference) ? preference : null;
        List<String> conflicts = new ArrayList<>();
        if (it != null) {
            scalar(vmiSpec, it, "nodeSelector", "nodeSelector", path, conflicts);
            scalar(vmiSpec, it, "schedulerName", "schedulerName", path, conflicts);
            cpu(vmiSpec, it, pref, path, conflicts);
            memory(vmiSpec, it, path, conflicts);
            scalar(object(vmiSpec, "domain"), it, "ioThreadsPolicy", "ioThreadsPolicy", path + ".domain", conflicts);
            scalar(object(vmiSpec, "domain"), it, "launchSecurity", "launchSecurity", path + ".domain", conflicts);
            list(object(vmiSpec, "domain"), it, "gpus", path + ".domain.devices", conflicts);
            list(object(vmiSpec, "domain"), it, "hostDevices", path + ".domain.devices", conflicts);
            annotations(vmiMetadata, it.path("annotations"));
            if (!conflicts.isEmpty()) return conflicts;
        }
        if (pref != null) Preferences.apply(vmiSpec, vmiMetadata, pref);
        return conflicts;
    }

    /** KubeVirt's message for a list of conflicting paths, as the VM controller reports it. */
    public static String vmiConflictMessage(List<String> conflicts) {
        return "VMI conflicts with instancetype spec in fields: [" + String.join(", ", conflicts) + "]";
    }

    private static void cpu(ObjectNode vmiSpec, JsonNode it, JsonNode pref, String path, List<String> conflicts) {
        ObjectNode domain = object(vmiSpec, "domain");
        ObjectNode cpu = object(domain, "cpu");
        JsonNode itCpu = it.path("cpu");
        int before = conflicts.size();
        JsonNode resources = domain.path("resources");
        if (resources.path("requests").has("cpu")) conflicts.add(path + ".domain.resources.requests.cpu");
        if (resources.path("limits").has("cpu")) conflicts.add(path + ".domain.resources.limits.cpu");
        long guest = itCpu.path("guest").asLong(1);
        for (String f : List.of("sockets", "cores", "threads")) {
            // the topology KubeVirt would derive is not a conflict
            if (cpu.path(f).asLong(0) != 0 && cpu.path(f).asLong() != topology(guest, pref).get(f)) conflicts.add(path + ".domain.cpu." + f);
        }
        if (!cpu.path("model").asText("").isEmpty() && itCpu.has("model") && !cpu.path("model").equals(itCpu.path("model"))) {
            conflicts.add(path + ".domain.cpu.model");
        }
        if (cpu.path("dedicatedCpuPlacement").asBoolean(false) && itCpu.has("dedicatedCPUPlacement")) conflicts.add(path + ".domain.cpu.dedicatedCPUPlacement");
        if (cpu.path("isolateEmulatorThread").asBoolean(false) && itCpu.has("isolateEmulatorThread")) conflicts.add(path + ".domain.cpu.isolateEmulatorThread");
        if (cpu.has("numa") && itCpu.has("numa")) conflicts.add(path + ".domain.cpu.numa");
        if (cpu.has("realtime") && itCpu.has("realtime")) conflicts.add(path + ".domain.cpu.realtime");
        if (conflicts.size() > before) return;
        if (itCpu.has("model")) cpu.set("model", itCpu.get("model"));
        // the instancetype's field is dedicatedCPUPlacement, the VMI's dedicatedCpuPlacement
        if (itCpu.has("dedicatedCPUPlacement")) cpu.set("dedicatedCpuPlacement", itCpu.get("dedicatedCPUPlacement"));
        for (String f : List.of("isolateEmulatorThread", "numa", "realtime", "maxSockets")) {
            if (itCpu.has(f)) cpu.set(f, itCpu.get(f).deepCopy());
        }
        topology(guest, pref).forEach(cpu::put);
    }

    /**
     * How KubeVirt lays {@code vcpus} out: one socket, core and thread for one vCPU; otherwise all of them on the
     * preference's {@code preferredCPUTopology} (default sockets), or spread by its ratio.
     */
    static Map<String, Long> topology(long vcpus, JsonNode pref) {
        if (vcpus <= 1) return Map.of("sockets", 1L, "cores", 1L, "threads", 1L);
        String preferred = pref == null ? "" : pref.path("cpu").path("preferredCPUTopology").asText("");
        return switch (preferred) {
            case "cores", "preferCores" -> Map.of("sockets", 1L, "cores", vcpus, "threads", 1L);
            case "threads", "preferThreads" -> Map.of("sockets", 1L, "cores", 1L, "threads", vcpus);
            case "spread", "preferSpread" -> spread(vcpus, pref.path("preferSpreadSocketToCoreRatio").asLong(0),
                    pref.path("cpu").path("spreadOptions"));
            default -> Map.of("sockets", vcpus, "cores", 1L, "threads", 1L);
        };
    }

    private static Map<String, Long> spread(long vcpus, long legacyRatio, JsonNode options) {
        long ratio = options.path("ratio").asLong(legacyRatio > 0 ? legacyRatio : 2);
        String across = options.path("across").asText("SocketsCores");
        return switch (across) {
            case "CoresThreads" -> Map.of("sockets", 1L, "cores", vcpus / ratio, "threads", ratio);
            case "SocketsCoresThreads" -> Map.of("sockets", vcpus / 2 / ratio, "cores", ratio, "threads", 2L);
            default -> Map.of("sockets", vcpus / ratio, "cores", ratio, "threads", 1L);
        };
    }

    private static void memory(ObjectNode vmiSpec, JsonNode it, String path, List<String> conflicts) {
        ObjectNode domain = object(vmiSpec, "domain");
        JsonNode itMemory = it.path("memory");
        JsonNode memory = domain.path("memory");
        JsonNode resources = domain.path("resources");
        String conflict = null;
        if (memory.has("guest") && !sameQuantity(memory.get("guest"), itMemory.path("guest"))) conflict = "domain.memory.guest";
        else if (memory.has("hugepages") && itMemory.has("hugepages")) conflict = "domain.memory.hugepages";
        else if (memory.has("maxGuest") && itMemory.has("maxGuest")) conflict = "domain.memory.maxGuest";
        else if (resources.path("requests").has("memory")) conflict = "domain.resources.requests.memory";
        else if (resources.path("limits").has("memory")) conflict = "domain.resources.limits.memory";
        if (conflict != null) {
            conflicts.add(path + "." + conflict);
            return;
        }
        ObjectNode target = object(domain, "memory");
        target.set("guest", itMemory.path("guest").deepCopy());
        long overcommit = itMemory.path("overcommitPercent").asLong(0);
        if (overcommit > 0 && itMemory.path("guest").isTextual()) {
            BigDecimal guest = Quantity.parse(itMemory.path("guest").asText()).value();
            long request = guest.multiply(BigDecimal.valueOf(100 - overcommit)).divide(BigDecimal.valueOf(100), 0, java.math.RoundingMode.DOWN).longValueExact();
            object(object(domain, "resources"), "requests").put("memory", String.valueOf(request));
        }
        if (itMemory.has("hugepages")) target.set("hugepages", itMemory.get("hugepages").deepCopy());
        if (itMemory.has("maxGuest")) target.set("maxGuest", itMemory.get("maxGuest").deepCopy());
    }

    private static boolean sameQuantity(JsonNode a, JsonNode b) {
        if (!a.isValueNode() || !b.isValueNode()) return false;
        try {
            return Quantity.parse(a.asText()).value().compareTo(Quantity.parse(b.asText()).value()) == 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A value the instancetype imposes: conflicts when the VMI has it (and differs), else copied. */
    private static void scalar(ObjectNode target, JsonNode it, String itField, String field, String path, List<String> conflicts) {
        if (!it.has(itField)) return;
        if (target.has(field) && !target.get(field).equals(it.get(itField))) {
            conflicts.add(path + "." + field);
            return;
        }
        target.set(field, it.get(itField).deepCopy());
    }

    private static void list(ObjectNode domain, JsonNode it, String field, String path, List<String> conflicts) {
        if (!it.path(field).isArray() || it.path(field).isEmpty()) return;
        JsonNode present = domain.path("devices").path(field);
        if (present.isArray() && !present.isEmpty()) {
            conflicts.add(path + "." + field);
            return;
        }
        object(domain, "devices").set(field, it.get(field).deepCopy());
    }

    static void annotations(ObjectNode vmiMetadata, JsonNode annotations) {
        if (vmiMetadata == null || !annotations.isObject() || annotations.isEmpty()) return;
        ObjectNode target = object(vmiMetadata, "annotations");
        annotations.properties().forEach(e -> {
            if (!target.has(e.getKey())) target.set(e.getKey(), e.getValue().deepCopy());
        });
    }

    private static boolean present(JsonNode n) {
        return n != null && n.isObject();
    }

    /** The object field {@code name} of {@code parent}, made when absent. */
    static ObjectNode object(ObjectNode parent, String name) {
        JsonNode n = parent.get(name);
        if (n instanceof ObjectNode o) return o;
        return parent.putObject(name);
    }

    static ArrayNode array(ObjectNode parent, String name) {
        JsonNode n = parent.get(name);
        if (n instanceof ArrayNode a) return a;
        return parent.putArray(name);
    }

    static ObjectNode emptyObject() {
        return NODES.objectNode();
    }
}
