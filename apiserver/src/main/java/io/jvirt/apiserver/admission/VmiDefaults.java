package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.validation.Quantities;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * KubeVirt's mutating webhooks for VMIs ({@code virtualmachineinstances-mutator.kubevirt.io}, on create) and VMs
 * ({@code virtualmachines-mutator.kubevirt.io}, on create and update, not once {@code deletionTimestamp} is set): the
 * defaults KubeVirt writes into the spec, so {@code kubectl get vmi -o yaml} shows what the guest gets. Each rule of
 * {@link #VMI_RULES} and {@link #VM_RULES} is one of KubeVirt's, in its order, for amd64; it never overrides a set value
 * and leaves a field of the wrong type alone (the schema refuses it after the mutators). A default KubeVirt cannot apply
 * (the cluster's default binding is {@code bridge} but bridges on the pod network are not permitted) is 400 in
 * kube-apiserver's words for a webhook's denial. Idempotent; thread-safe.
 */
public final class VmiDefaults implements MutatingAdmitter {
    /** KubeVirt's {@code DefaultGracePeriodSeconds}, which its launcher pod and converter use when the VMI names none. */
    static final long DEFAULT_GRACE_PERIOD_SECONDS = 30;
    /** KubeVirt's default disk bus on amd64 ({@code setDefaultAmd64DisksBus}). */
    static final String AMD64_DISK_BUS = "sata";
    /** The name of the pod network and interface KubeVirt adds to a VMI that has neither. */
    static final String POD_NETWORK = "default";
    /** Hyper-V enlightenments that are feature states ({@code enabled} defaults to true when the feature is present). */
    static final List<String> HYPERV_STATES = List.of("relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "synictimer", "reset",
            "vendorid", "frequencies", "reenlightenment", "tlbflush", "ipi", "evmcs");
    static final List<String> CLOCK_TIMERS = List.of("hpet", "kvm", "pit", "rtc", "hyperv");

    /** A default KubeVirt's webhook cannot apply; its message is the webhook's. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    /** One defaulting rule over a VMI spec (an object with an object {@code domain}). */
    @FunctionalInterface
    interface Rule {
        void apply(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids);
    }

    /** KubeVirt's {@code SetDefaultVirtualMachineInstance} for amd64, in its order, and jvirt's visible grace period. */
    static final List<Rule> VMI_RULES = List.of(
            VmiDefaults::architecture,
            VmiDefaults::machineType,
            VmiDefaults::cpuRequestFromLimit,
            VmiDefaults::guestMemory,
            VmiDefaults::cpuTopology,
            VmiDefaults::containerDiskPullPolicy,
            VmiDefaults::evictionStrategy,
            VmiDefaults::podNetwork,
            VmiDefaults::diskPerVolume,
            VmiDefaults::firmwareUuid,
            VmiDefaults::features,
            VmiDefaults::clockTimers,
            VmiDefaults::diskTargets,
            VmiDefaults::inputs,
            VmiDefaults::probes,
            VmiDefaults::amd64DiskBus,
            VmiDefaults::watchdogAction,
            VmiDefaults::cpuModel,
            VmiDefaults::gracePeriod);

    /** KubeVirt's {@code SetVirtualMachineDefaults} over a VM's template (create and update). */
    static final List<Rule> VM_RULES = List.of(VmiDefaults::architecture, VmiDefaults::machineType);

    /** The kinds KubeVirt defaults. */
    public enum Target {
        VMI("VirtualMachineInstance", "virtualmachineinstances-mutator.kubevirt.io"),
        VM("VirtualMachine", "virtualmachines-mutator.kubevirt.io");

        final String kind;
        final String webhook;

        Target(String kind, String webhook) {
            this.kind = kind;
            this.webhook = webhook;
        }
    }

    private final Target target;
    private final Supplier<ClusterConfig> config;
    private final Supplier<UUID> uuids;

    /** @param uuids the random UUIDs for firmware {@code uuid} and {@code serial} (tests pass a fixed sequence) */
    VmiDefaults(Target target, Supplier<ClusterConfig> config, Supplier<UUID> uuids) {
        this.target = target;
        this.config = config;
        this.uuids = uuids;
    }

    /** Both of KubeVirt's defaulting webhooks, reading the KubeVirt CR's configuration at each write. */
    public static List<VmiDefaults> all(Supplier<ClusterConfig> config) {
        return List.of(new VmiDefaults(Target.VMI, config, UUID::randomUUID), new VmiDefaults(Target.VM, config, UUID::randomUUID));
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        boolean operation = r.operation() == Operation.CREATE || r.operation() == Operation.UPDATE && target == Target.VM;
        return operation && r.subresource() == null && r.type().group().equals("kubevirt.io") && r.type().kind().equals(target.kind);
    }

    @Override
    public void mutate(AdmissionRequest r) {
        ObjectNode object = r.object();
        ClusterConfig cluster = config.get();
        try {
            if (target == Target.VMI) {
                ObjectNode spec = vmiSpec(object.get("spec"));
                if (spec != null) VMI_RULES.forEach(rule -> rule.apply(spec, cluster, uuids));
                return;
            }
            if (object.path("metadata").hasNonNull("deletionTimestamp")) return;
            JsonNode template = object.path("spec").path("template");
            ObjectNode spec = template.isObject() ? vmiSpec(template.get("spec")) : null;
            if (spec == null) return;
            if (r.operation() == Operation.CREATE) firmwareIdentity(spec, uuids);
            VM_RULES.forEach(rule -> rule.apply(spec, cluster, uuids));
        } catch (Refused e) {
            throw ApiException.badRequest("admission webhook \"" + target.webhook + "\" denied the request: " + e.getMessage());
        }
    }

    /** {@code spec} when it is an object with an object {@code domain} (KubeVirt's webhook checks the schema before defaulting). */
    private static ObjectNode vmiSpec(JsonNode spec) {
        return spec instanceof ObjectNode o && o.get("domain") instanceof ObjectNode ? o : null;
    }

    static void architecture(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        putIfEmpty(spec, "architecture", "amd64");
    }

    /** {@code domain.machine.type} from the CR's machine type (q35 by default). */
    static void machineType(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode machine = object(domain(spec), "machine");
        if (machine != null) putIfEmpty(machine, "type", config.machineType());
    }

    /** A CPU limit without a request: the request is the limit. */
    static void cpuRequestFromLimit(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode resources = object(domain(spec), "resources");
        if (resources == null || !(resources.path("limits").get("cpu") instanceof JsonNode limit) || isZero(limit)) return;
        ObjectNode requests = object(resources, "requests");
        if (requests != null && (!requests.has("cpu") || isZero(requests.get("cpu")))) requests.set("cpu", limit.deepCopy());
    }

    /** {@code domain.memory.guest} from the memory request, else the limit, else the hugepage size. */
    static void guestMemory(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode domain = domain(spec);
        ObjectNode memory = object(domain, "memory");
        if (memory == null || memory.hasNonNull("guest")) return;
        JsonNode resources = domain.path("resources");
        for (JsonNode candidate : List.of(resources.path("requests").path("memory"), resources.path("limits").path("memory"))) {
            if (Quantities.value(candidate).filter(v -> v.signum() != 0).isPresent()) {
                memory.set("guest", candidate.deepCopy());
                return;
            }
        }
        JsonNode pageSize = memory.path("hugepages").path("pageSize");
        if (Quantities.value(pageSize).isPresent()) memory.set("guest", pageSize.deepCopy());
    }

    /** No socket, core or thread count: one core and thread per socket, the sockets from the CPU limit (else request), else 1. */
    static void cpuTopology(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode domain = domain(spec);
        ObjectNode cpu = object(domain, "cpu");
        if (cpu == null || List.of("cores", "sockets", "threads").stream().anyMatch(f -> cpu.path(f).asLong(0) != 0 || !cpu.path(f).isNumber() && cpu.has(f))) {
            return;
        }
        long sockets = 1;
        JsonNode resources = domain.path("resources");
        JsonNode count = resources.path("limits").has("cpu") ? resources.path("limits").get("cpu") : resources.path("requests").get("cpu");
        Optional<BigDecimal> vcpus = Quantities.value(count);
        if (vcpus.isPresent() && vcpus.get().signum() >= 0 && vcpus.get().compareTo(BigDecimal.valueOf(4294967295L)) <= 0) {
            sockets = vcpus.get().setScale(0, RoundingMode.CEILING).longValueExact(); // Go's Quantity.Value() rounds up
        }
        cpu.put("sockets", sockets).put("cores", 1).put("threads", 1);
    }

    /** A containerDisk without {@code imagePullPolicy}: Always for {@code :latest} or an image without tag or digest, else IfNotPresent. */
    static void containerDiskPullPolicy(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        for (JsonNode volume : spec.path("volumes")) {
            if (!(volume.get("containerDisk") instanceof ObjectNode disk) || !disk.path("image").isTextual()) continue;
            String image = disk.get("image").asText();
            boolean always = image.endsWith(":latest") || !image.contains(":") && !image.contains("@");
            putIfEmpty(disk, "imagePullPolicy", always ? "Always" : "IfNotPresent");
        }
    }

    /** The CR's {@code evictionStrategy}, when it sets one. */
    static void evictionStrategy(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        if (config.evictionStrategy() != null) putIfEmpty(spec, "evictionStrategy", config.evictionStrategy());
    }

    /**
     * A VMI with neither networks nor interfaces (and {@code autoattachPodInterface} not false) gets network {@code default}
     * on the pod network and an interface {@code default} with the CR's default binding ({@code bridge} unless
     * {@code network.defaultNetworkInterface} says {@code masquerade}).
     */
    static void podNetwork(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode devices = object(domain(spec), "devices");
        if (devices == null || devices.path("autoattachPodInterface").isBoolean() && !devices.get("autoattachPodInterface").asBoolean()) return;
        if (!empty(spec.get("networks")) || !empty(devices.get("interfaces"))) return;
        String binding = config.defaultNetworkInterface();
        switch (binding) {
            case "bridge" -> {
                if (!config.bridgeOnPodNetworkPermitted()) throw new Refused("bridge interface is not enabled in kubevirt-config");
                devices.putArray("interfaces").addObject().put("name", POD_NETWORK).putObject("bridge");
            }
            case "masquerade" -> devices.putArray("interfaces").addObject().put("name", POD_NETWORK).putObject("masquerade");
            case "slirp" -> throw new Refused("slirp interface is deprecated as of v1.3");
            default -> { } // KubeVirt adds the network alone
        }
        spec.putArray("networks").addObject().put("name", POD_NETWORK).putObject("pod");
    }

    /** A disk {@code {name}} for every volume that no disk or filesystem names. */
    static void diskPerVolume(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode devices = object(domain(spec), "devices");
        if (devices == null || !(spec.get("volumes") instanceof ArrayNode volumes)) return;
        Set<String> named = new HashSet<>();
        for (String list : List.of("disks", "filesystems")) devices.path(list).forEach(d -> named.add(d.path("name").asText()));
        for (JsonNode volume : volumes) {
            if (!volume.path("name").isTextual() || !named.add(volume.get("name").asText())) continue;
            ArrayNode disks = array(devices, "disks");
            if (disks == null) return;
            disks.addObject().put("name", volume.get("name").asText());
        }
    }

    /** {@code domain.firmware.uuid}: a random one for a VMI that names none (a VM's VMIs carry the VM's, see {@link #firmwareIdentity}). */
    static void firmwareUuid(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode firmware = object(domain(spec), "firmware");
        if (firmware != null && isEmptyText(firmware.get("uuid"))) firmware.put("uuid", uuids.get().toString());
    }

    /** {@code domain.features} with ACPI on; a feature state that is present (apic, smm, pvspinlock, Hyper-V's) is enabled unless it says otherwise. */
    static void features(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode features = object(domain(spec), "features");
        if (features == null) return;
        enabledByDefault(object(features, "acpi"));
        for (String state : List.of("apic", "smm", "pvspinlock")) enabledByDefault(existing(features, state));
        ObjectNode hyperv = existing(features, "hyperv");
        if (hyperv == null) return;
        HYPERV_STATES.forEach(f -> enabledByDefault(existing(hyperv, f)));
        ObjectNode spinlocks = existing(hyperv, "spinlocks");
        if (spinlocks != null && spinlocks.path("enabled").asBoolean(false) && !spinlocks.has("spinlocks")) spinlocks.put("spinlocks", 4096);
        for (String parent : List.of("synictimer", "tlbflush")) {
            ObjectNode p = existing(hyperv, parent);
            if (p == null) continue;
            enabledByDefault(existing(p, "direct"));
            enabledByDefault(existing(p, "extended"));
        }
    }

    /** A clock timer that is present is enabled unless it says otherwise. */
    static void clockTimers(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode timer = existing(existing(domain(spec), "clock"), "timer");
        if (timer == null) return;
        for (String t : CLOCK_TIMERS) {
            ObjectNode state = existing(timer, t);
            if (state != null && !state.hasNonNull("present")) state.put("present", true); // a timer's switch is "present", not "enabled"
        }
    }

    /** A disk with no target is a {@code disk}; a {@code cdrom} is read-only with its tray closed unless it says otherwise. */
    static void diskTargets(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        for (JsonNode d : spec.path("domain").path("devices").path("disks")) {
            if (!(d instanceof ObjectNode disk)) continue;
            if (!disk.hasNonNull("disk") && !disk.hasNonNull("cdrom") && !disk.hasNonNull("lun")) disk.putObject("disk");
            ObjectNode cdrom = existing(disk, "cdrom");
            if (cdrom == null) continue;
            if (!cdrom.hasNonNull("readonly")) cdrom.put("readonly", true);
            putIfEmpty(cdrom, "tray", "closed");
        }
    }

    /** An input device is a USB tablet unless it says otherwise. */
    static void inputs(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        for (JsonNode i : spec.path("domain").path("devices").path("inputs")) {
            if (!(i instanceof ObjectNode input)) continue;
            putIfEmpty(input, "bus", "usb");
            putIfEmpty(input, "type", "tablet");
        }
    }

    /** Probe timings below 1: timeout 1 s, period 10 s, success threshold 1, failure threshold 3 (Kubernetes' own). */
    static void probes(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        for (String name : List.of("readinessProbe", "livenessProbe")) {
            ObjectNode probe = existing(spec, name);
            if (probe == null) continue;
            atLeastOne(probe, "timeoutSeconds", 1);
            atLeastOne(probe, "periodSeconds", 10);
            atLeastOne(probe, "successThreshold", 1);
            atLeastOne(probe, "failureThreshold", 3);
        }
    }

    /** A disk, cdrom or lun without a bus is on SATA, KubeVirt's choice on amd64. */
    static void amd64DiskBus(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        for (JsonNode d : spec.path("domain").path("devices").path("disks")) {
            for (String kind : List.of("disk", "cdrom", "lun")) {
                if (d.get(kind) instanceof ObjectNode t) putIfEmpty(t, "bus", AMD64_DISK_BUS);
            }
        }
    }

    /** A watchdog is an i6300esb that resets the guest unless it says otherwise. */
    static void watchdogAction(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode watchdog = existing(existing(domain(spec), "devices"), "watchdog");
        ObjectNode model = watchdog == null ? null : object(watchdog, "i6300esb");
        if (model != null) putIfEmpty(model, "action", "reset");
    }

    /** {@code domain.cpu.model} from the CR's {@code cpuModel}, else {@code host-model}. */
    static void cpuModel(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        ObjectNode cpu = object(domain(spec), "cpu");
        if (cpu != null) putIfEmpty(cpu, "model", config.cpuModel());
    }

    /**
     * {@code terminationGracePeriodSeconds}: KubeVirt's 30 s, which its launcher pod and converter apply when the VMI names
     * none; jvirt writes it into the spec so it shows.
     */
    static void gracePeriod(ObjectNode spec, ClusterConfig config, Supplier<UUID> uuids) {
        if (!spec.hasNonNull("terminationGracePeriodSeconds")) spec.put("terminationGracePeriodSeconds", DEFAULT_GRACE_PERIOD_SECONDS);
    }

    /**
     * A new VM's template gets a random firmware {@code uuid} and {@code serial} when it names none (KubeVirt's VM mutator,
     * create only): stored in the VM, every VMI it starts has the same, across restarts.
     */
    static void firmwareIdentity(ObjectNode spec, Supplier<UUID> uuids) {
        ObjectNode firmware = object(domain(spec), "firmware");
        if (firmware == null) return;
        if (isEmptyText(firmware.get("uuid"))) firmware.put("uuid", uuids.get().toString());
        if (isEmptyText(firmware.get("serial"))) firmware.put("serial", uuids.get().toString());
    }

    private static ObjectNode domain(ObjectNode spec) {
        return (ObjectNode) spec.get("domain");
    }

    /** The object at {@code field}, created when absent or null; null when the field holds something else. */
    static ObjectNode object(ObjectNode parent, String field) {
        if (parent == null) return null;
        JsonNode child = parent.get(field);
        if (child == null || child.isNull()) return parent.putObject(field);
        return child instanceof ObjectNode o ? o : null;
    }

    /** The object at {@code field} when there is one. */
    static ObjectNode existing(ObjectNode parent, String field) {
        return parent != null && parent.get(field) instanceof ObjectNode o ? o : null;
    }

    /** The array at {@code field}, created when absent or null; null when the field holds something else. */
    static ArrayNode array(ObjectNode parent, String field) {
        JsonNode child = parent.get(field);
        if (child == null || child.isNull()) return parent.putArray(field);
        return child instanceof ArrayNode a ? a : null;
    }

    private static void enabledByDefault(ObjectNode state) {
        if (state != null && !state.hasNonNull("enabled")) state.put("enabled", true);
    }

    private static void atLeastOne(ObjectNode probe, String field, int otherwise) {
        JsonNode v = probe.get(field);
        if (v == null || v.isNull() || v.isNumber() && v.asLong() < 1) probe.put(field, otherwise);
    }

    private static void putIfEmpty(ObjectNode node, String field, String value) {
        if (isEmptyText(node.get(field))) node.put(field, value);
    }

    private static boolean isEmptyText(JsonNode v) {
        return v == null || v.isNull() || v.isTextual() && v.asText().isEmpty();
    }

    private static boolean empty(JsonNode list) {
        return list == null || list.isNull() || list.isArray() && list.isEmpty();
    }

    private static boolean isZero(JsonNode quantity) {
        return Quantities.value(quantity).map(v -> v.signum() == 0).orElse(false);
    }
}
