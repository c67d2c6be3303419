package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.validation.Quantities;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * KubeVirt's validating webhook for one kind that carries a VMI spec, with KubeVirt's webhook name,
 * messages, cause types and field paths. The VMI spec is found once, by {@link Target#specPath}
 * ({@code spec} or {@code spec.template.spec}); {@link #SPEC_RULES} run over it for every kind, between
 * the kind's own {@link Target#before} and {@link Target#after} rules, in KubeVirt's order. Each finding
 * is one 422 cause. Stateless; thread-safe.
 */
public final class VmiSpecRules implements ValidatingAdmitter {
    /** KubeVirt's limit for cloud-init user data and network data ({@code cloudInitUserMaxLen}). */
    static final int CLOUD_INIT_MAX = 2048;
    /** Labels only KubeVirt's own components may set on a VMI ({@code restrictedVmiLabels}). */
    static final List<String> RESERVED_LABELS = List.of("kubevirt.io/created-by", "kubevirt.io/migrationJobUID", "kubevirt.io/nodeName",
            "kubevirt.io/migrationTargetNodeName", "kubevirt.io/schedulable", "kubevirt.io/install-strategy");
    /** Run strategies a VM may name without a feature gate; WaitAsReceiver needs DecentralizedLiveMigration. */
    static final List<String> RUN_STRATEGIES = List.of("Halted", "Manual", "Always", "RerunOnFailure", "Once");
    /** The volume sources KubeVirt counts; a volume must have exactly one. */
    static final List<String> VOLUME_SOURCES = List.of("persistentVolumeClaim", "sysprep", "cloudInitNoCloud", "cloudInitConfigDrive",
            "containerDisk", "ephemeral", "emptyDisk", "hostDisk", "dataVolume", "configMap", "secret", "downwardAPI", "serviceAccount",
            "downwardMetrics", "memoryDump", "containerPath");

    /** One check of the VMI spec found at {@code path}; adds what it finds to {@code causes}. */
    @FunctionalInterface
    interface SpecRule {
        void check(JsonNode spec, String path, List<Cause> causes);
    }

    /** One check of the whole object (metadata, VM or replica set fields). */
    @FunctionalInterface
    interface ObjectRule {
        void check(JsonNode object, List<Cause> causes);
    }

    /** KubeVirt's shared VMI spec validation ({@code ValidateVirtualMachineInstanceSpec}), the parts jvirt checks, in its order. */
    static final List<SpecRule> SPEC_RULES = List.of(
            VmiSpecRules::memory,
            VmiSpecRules::cpu,
            VmiSpecRules::gracePeriod,
            VmiSpecRules::networkNames,
            VmiSpecRules::networkSources,
            VmiSpecRules::bindingNetworks,
            VmiSpecRules::disksHaveVolumesAndBootOrders,
            VmiSpecRules::disks,
            VmiSpecRules::volumes);

    /** The kinds KubeVirt validates a VMI spec of: where the spec is, the webhook's name, the operations, the kind's own rules. */
    public enum Target {
        VMI("VirtualMachineInstance", "virtualmachineinstances-create-validator.kubevirt.io", "spec", false, List.of(),
                List.of(VmiSpecRules::memoryRequested, (o, causes) -> metadata(o.path("metadata"), "metadata", causes))),
        VM("VirtualMachine", "virtualmachine-validator.kubevirt.io", "spec.template.spec", true,
                List.of((o, causes) -> metadata(o.path("spec").path("template").path("metadata"), "spec.template.metadata", causes)),
                List.of(VmiSpecRules::runStrategy)),
        VMIRS("VirtualMachineInstanceReplicaSet", "virtualmachinereplicaset-validator.kubevirt.io", "spec.template.spec", true, List.of(),
                List.of(VmiSpecRules::selectorMatchesTemplate));

        final String kind;
        final String webhook;
        final String specPath;
        final boolean onUpdate;
        /** Run before {@link #SPEC_RULES}; each sees the whole object. */
        final List<ObjectRule> before;
        /** Run after {@link #SPEC_RULES}. */
        final List<ObjectRule> after;

        Target(String kind, String webhook, String specPath, boolean onUpdate, List<ObjectRule> before, List<ObjectRule> after) {
            this.kind = kind;
            this.webhook = webhook;
            this.specPath = specPath;
            this.onUpdate = onUpdate;
            this.before = before;
            this.after = after;
        }

        /** The VMI spec inside {@code object} (a missing node when absent). */
        JsonNode spec(JsonNode object) {
            JsonNode node = object;
            for (String step : specPath.split("\\.")) {
                node = node.path(step);
            }
            return node;
        }
    }

    /** The VMI spec's integer fields that are Go uint32 in KubeVirt's types (a value out of range fails its decoder). */
    static final List<String> UINT32_FIELDS = List.of("domain.cpu.cores", "domain.cpu.sockets", "domain.cpu.threads", "domain.cpu.maxSockets");
    static final BigDecimal ONE_MEGABYTE = BigDecimal.valueOf(1_000_000);

    private final Target target;
    private final Supplier<ClusterConfig> config;

    /** @param config the KubeVirt CR's configuration (feature gates, machine types, bindings), read at each validation */
    public VmiSpecRules(Target target, Supplier<ClusterConfig> config) {
        this.target = target;
        this.config = config;
    }

    public VmiSpecRules(Target target) {
        this(target, () -> ClusterConfig.DEFAULTS);
    }

    /** One admitter per kind, as KubeVirt registers one webhook per kind, with the KubeVirt CR's configuration. */
    public static List<VmiSpecRules> all(Supplier<ClusterConfig> config) {
        return List.of(new VmiSpecRules(Target.VMI, config), new VmiSpecRules(Target.VM, config),
                new VmiSpecRules(Target.VMIRS, config));
    }

    /** All kinds, KubeVirt's default configuration. */
    public static List<VmiSpecRules> all() {
        return all(() -> ClusterConfig.DEFAULTS);
    }

    @Override
    public String name() {
        return target.webhook;
    }

    /** VMIs on create (spec changes go through subresources); VMs and replica sets on create and update; never subresources. */
    @Override
    public boolean handles(AdmissionRequest r) {
        boolean operation = r.operation() == Operation.CREATE || r.operation() == Operation.UPDATE && target.onUpdate;
        return operation && r.subresource() == null && r.type().group().equals("kubevirt.io") && r.type().kind().equals(target.kind);
    }

    @Override
    public List<Cause> validate(AdmissionRequest r) {
        JsonNode object = r.object();
        List<Cause> causes = new ArrayList<>();
        if (target == Target.VM && object.path("metadata").hasNonNull("deletionTimestamp")) {
            return causes;
        }
        if (target != Target.VMI && !object.path("spec").hasNonNull("template")) {
            causes.add(new Cause("FieldValueRequired", "missing virtual machine template.", "spec.template"));
            return causes;
        }
        JsonNode spec = target.spec(object);
        String decodeError = decodeError(object, target);
        if (decodeError != null) {
            // KubeVirt's webhook cannot read the object into its Go types: 400 with the decoder's message
            throw ApiException.badRequest("admission webhook \"" + target.webhook + "\" denied the request: " + decodeError);
        }
        target.before.forEach(rule -> rule.check(object, causes));
        SPEC_RULES.forEach(rule -> rule.check(spec, target.specPath, causes));
        ClusterConfig cluster = config.get();
        hostDisks(spec, target.specPath, cluster.featureGates(), causes);
        emulatedMachine(spec, target.specPath, cluster, causes);
        bridgeOnPodNetwork(spec, target.specPath, cluster, causes);
        target.after.forEach(rule -> rule.check(object, causes));
        return causes;
    }

    /**
     * What KubeVirt's decoder refuses before any rule: a template's labels or annotations that are not maps of strings, an
     * unsigned 32-bit field (CPU topology) negative or above
     * 4294967295, as Go's JSON decoder words it ({@code json: cannot unmarshal number -1 into Go struct field
     * CPU.spec.domain.cpu.cores of type uint32}). Null when the spec decodes.
     */
    static String decodeError(JsonNode object, Target target) {
        if (target != Target.VMI) {
            String templateMeta = templateMetadataError(object.path("spec").path("template").path("metadata"), "spec.template.metadata");
            if (templateMeta != null) return templateMeta;
        }
        JsonNode spec = target.spec(object);
        String path = target.specPath;
        for (String field : UINT32_FIELDS) {
            JsonNode node = spec;
            for (String step : field.split("\\.")) node = node.path(step);
            if (!node.isNumber()) continue;
            BigDecimal value = node.decimalValue();
            if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(4294967295L)) > 0 || value.stripTrailingZeros().scale() > 0) {
                return "json: cannot unmarshal number " + node.asText() + " into Go struct field CPU." + path + "." + field + " of type uint32";
            }
        }
        return null;
    }

    /**
     * A template's labels and annotations as KubeVirt's Go types read them (maps of strings): the apiserver keeps a
     * template's metadata as given (an embedded ObjectMeta), so the webhook's decoder is the first to look.
     */
    static String templateMetadataError(JsonNode meta, String path) {
        for (String map : new String[] {"labels", "annotations"}) {
            JsonNode m = meta.get(map);
            if (m == null || m.isNull()) continue;
            if (!m.isObject()) return "json: cannot unmarshal " + jsonType(m) + " into Go struct field ObjectMeta." + path + "." + map + " of type map[string]string";
            for (JsonNode v : m) {
                if (!v.isTextual()) return "json: cannot unmarshal " + jsonType(v) + " into Go struct field ObjectMeta." + path + "." + map + " of type string";
            }
        }
        return null;
    }

    private static String jsonType(JsonNode v) {
        return v.isTextual() ? "string" : v.isNumber() ? "number" : v.isBoolean() ? "bool" : v.isArray() ? "array" : "object";
    }

    /** Memory requests and limits not negative, a request of at least 1M, a request within the limit ({@code validateMemory*}). */
    static void memory(JsonNode spec, String path, List<Cause> causes) {
        String requestField = path + ".domain.resources.requests.memory", limitField = path + ".domain.resources.limits.memory";
        JsonNode requestNode = spec.path("domain").path("resources").path("requests").get("memory");
        JsonNode limitNode = spec.path("domain").path("resources").path("limits").get("memory");
        Optional<BigDecimal> request = Quantities.value(requestNode), limit = Quantities.value(limitNode);
        if (request.isPresent() && request.get().signum() < 0) {
            causes.add(Cause.invalid(requestField, requestField + " '" + Quantities.text(requestNode) + "': must be greater than or equal to 0."));
        } else if (request.isPresent() && request.get().signum() > 0 && request.get().compareTo(ONE_MEGABYTE) < 0) {
            causes.add(Cause.invalid(requestField, requestField + " '" + Quantities.text(requestNode) + "': must be greater than or equal to 1M."));
        }
        if (limit.isPresent() && limit.get().signum() < 0) {
            causes.add(Cause.invalid(limitField, limitField + " '" + Quantities.text(limitNode) + "': must be greater than or equal to 0."));
        }
        if (request.isPresent() && limit.isPresent() && limit.get().signum() > 0 && request.get().compareTo(limit.get()) > 0) {
            causes.add(Cause.invalid(requestField, requestField + " '" + Quantities.text(requestNode) + "' is greater than " + limitField + " '"
                    + Quantities.text(limitNode) + "'"));
        }
    }

    /** CPU requests and limits not negative, a request within the limit ({@code validateCPU*}, {@code validateCpuRequestDoesNotExceedLimit}). */
    static void cpu(JsonNode spec, String path, List<Cause> causes) {
        String requestField = path + ".domain.resources.requests.cpu", limitField = path + ".domain.resources.limits.cpu";
        JsonNode requestNode = spec.path("domain").path("resources").path("requests").get("cpu");
        JsonNode limitNode = spec.path("domain").path("resources").path("limits").get("cpu");
        Optional<BigDecimal> request = Quantities.value(requestNode), limit = Quantities.value(limitNode);
        if (request.isPresent() && request.get().signum() < 0) {
            causes.add(Cause.invalid(requestField, requestField + " '" + Quantities.text(requestNode) + "': must be greater than or equal to 0."));
        }
        if (limit.isPresent() && limit.get().signum() < 0) {
            causes.add(Cause.invalid(limitField, limitField + " '" + Quantities.text(limitNode) + "': must be greater than or equal to 0."));
        }
        if (request.isPresent() && limit.isPresent() && limit.get().signum() > 0 && request.get().compareTo(limit.get()) > 0) {
            causes.add(Cause.invalid(requestField, requestField + " '" + Quantities.text(requestNode) + "' is greater than " + limitField + " '"
                    + Quantities.text(limitNode) + "'"));
        }
    }

    /**
     * jvirt's own bound, worded as KubeVirt's other non-negative checks: a negative {@code terminationGracePeriodSeconds}
     * (KubeVirt's webhook lets it through; its launcher would then not wait at all).
     */
    static void gracePeriod(JsonNode spec, String path, List<Cause> causes) {
        JsonNode grace = spec.get("terminationGracePeriodSeconds");
        if (grace != null && grace.isNumber() && grace.asLong() < 0) {
            String field = path + ".terminationGracePeriodSeconds";
            causes.add(Cause.invalid(field, field + " '" + grace.asText() + "': must be greater than or equal to 0."));
        }
    }

    /** hostDisk volumes: the HostDisk feature gate, a path, a type of Disk or DiskOrCreate ({@code validateVolumes}). */
    static void hostDisks(JsonNode spec, String path, Set<String> gates, List<Cause> causes) {
        JsonNode volumes = spec.path("volumes");
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode hostDisk = volumes.get(i).get("hostDisk");
            if (hostDisk == null || hostDisk.isNull()) continue;
            String field = path + ".volumes[" + i + "]";
            if (!gates.contains("HostDisk")) causes.add(Cause.invalid(field, "HostDisk feature gate is not enabled"));
            if (hostDisk.path("path").asText("").isEmpty()) {
                causes.add(new Cause("FieldValueNotFound", field + ".hostDisk.path is required for hostDisk volume", field + ".hostDisk.path"));
            }
            String type = hostDisk.path("type").asText("");
            if (!type.equals("Disk") && !type.equals("DiskOrCreate")) {
                causes.add(Cause.invalid(field + ".hostDisk.type", field + ".hostDisk.type has invalid value '" + type
                        + "', allowed are 'Disk' or 'DiskOrCreate'"));
            }
        }
    }

    /**
     * A machine type the cluster emulates: one of the KubeVirt CR's {@code emulatedMachines} patterns (default {@code q35*},
     * {@code pc-q35*}), in KubeVirt's words ({@code validateEmulatedMachine}). Runs after defaulting, so it sees the default too.
     */
    static void emulatedMachine(JsonNode spec, String path, ClusterConfig config, List<Cause> causes) {
        JsonNode type = spec.path("domain").path("machine").path("type");
        if (!type.isTextual() || type.asText().isEmpty()) return;
        List<String> patterns = config.emulatedMachines();
        if (patterns.stream().noneMatch(p -> globMatches(p, type.asText()))) {
            String field = path + ".domain.machine.type";
            causes.add(Cause.invalid(field, field + " is not supported: " + type.asText() + " (allowed values: [" + String.join(" ", patterns) + "])"));
        }
    }

    /** A shell pattern ({@code *}, {@code ?}) matching all of {@code text}, as Go's {@code filepath.Match} for these patterns. */
    static boolean globMatches(String pattern, String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(switch (c) {
                case '*' -> "[^/]*";
                case '?' -> "[^/]";
                default -> java.util.regex.Pattern.quote(String.valueOf(c));
            });
        }
        return text.matches(regex.toString());
    }

    /** A {@code bridge} interface on the pod network needs {@code permitBridgeInterfaceOnPodNetwork} ({@code validateBridgeBinding}). */
    static void bridgeOnPodNetwork(JsonNode spec, String path, ClusterConfig config, List<Cause> causes) {
        if (config.bridgeOnPodNetworkPermitted()) return;
        Set<String> podNetworks = new HashSet<>();
        spec.path("networks").forEach(n -> { if (n.has("pod")) podNetworks.add(n.path("name").asText()); });
        JsonNode interfaces = spec.path("domain").path("devices").path("interfaces");
        for (int i = 0; i < interfaces.size(); i++) {
            if (interfaces.get(i).has("bridge") && podNetworks.contains(interfaces.get(i).path("name").asText())) {
                String field = path + ".domain.devices.interfaces[" + i + "].name";
                causes.add(Cause.invalid(field, "Bridge on pod network configuration is not enabled under kubevirt-config"));
            }
        }
    }

    /**
     * Each network's source (KubeVirt's {@code validateSingleNetworkSource}, {@code validateMultusNetworkSource},
     * {@code validateSinglePodNetwork}): exactly one of {@code pod} and {@code multus}, a multus network names its
     * definition, at most one pod network, at most one multus {@code default} network, and not both.
     */
    static void networkSources(JsonNode spec, String path, List<Cause> causes) {
        JsonNode networks = spec.path("networks");
        int pods = 0;
        int multusDefaults = 0;
        boolean unnamed = false;
        for (int i = 0; i < networks.size(); i++) {
            JsonNode n = networks.get(i);
            String field = path + ".networks[" + i + "]";
            if (!n.has("pod") && !n.has("multus")) {
                causes.add(new Cause("FieldValueRequired", "should have a network type", field));
            } else if (n.has("pod") && n.has("multus")) {
                causes.add(new Cause("FieldValueRequired", "should have only one network type", field));
            }
            if (n.has("multus") && n.path("multus").path("networkName").asText("").isEmpty() && !unnamed) {
                unnamed = true; // KubeVirt reports the first only
                causes.add(new Cause("FieldValueRequired", "CNI delegating plugin must have a networkName", field));
            }
            pods += n.has("pod") ? 1 : 0;
            multusDefaults += n.path("multus").path("default").asBoolean(false) ? 1 : 0;
        }
        if (pods > 1) {
            causes.add(new Cause("FieldValueDuplicate", "more than one interface is connected to a pod network in " + path + ".interfaces",
                    path + ".interfaces"));
        }
        if (multusDefaults > 1) {
            causes.add(Cause.invalid(path + ".networks", "Multus CNI should only have one default network"));
        }
        if (pods > 0 && multusDefaults > 0) {
            causes.add(Cause.invalid(path + ".networks", "Pod network cannot be defined when Multus default network is defined"));
        }
    }

    /**
     * Bindings that only the pod network has (KubeVirt's {@code validateMasqueradeBinding}, {@code validatePasstBinding}):
     * {@code masquerade} and {@code passtBinding} on an interface whose network is not {@code pod} (a multus network, its
     * {@code default} one too) are refused; {@code bridge} goes anywhere.
     */
    static void bindingNetworks(JsonNode spec, String path, List<Cause> causes) {
        Map<String, JsonNode> networks = new java.util.HashMap<>();
        spec.path("networks").forEach(n -> networks.putIfAbsent(n.path("name").asText(), n));
        JsonNode interfaces = spec.path("domain").path("devices").path("interfaces");
        for (int i = 0; i < interfaces.size(); i++) {
            JsonNode nic = interfaces.get(i);
            JsonNode network = networks.get(nic.path("name").asText());
            if (network == null || network.has("pod")) {
                continue; // an interface without a network is networkNames' to report
            }
            String field = path + ".domain.devices.interfaces[" + i + "].name";
            if (nic.has("masquerade")) {
                causes.add(Cause.invalid(field, "Masquerade interface only implemented with pod network"));
            }
            if (nic.has("passtBinding")) {
                causes.add(Cause.invalid(field, "PasstBinding interface only implemented with pod network"));
            }
        }
    }

    /** Networks and interfaces: unique names, each network used by an interface, each interface backed by a network. */
    static void networkNames(JsonNode spec, String path, List<Cause> causes) {
        JsonNode networks = spec.path("networks");
        JsonNode interfaces = spec.path("domain").path("devices").path("interfaces");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < networks.size(); i++) {
            String name = networks.get(i).path("name").asText();
            if (!seen.add(name)) {
                causes.add(new Cause("FieldValueDuplicate", "Network with name \"" + name + "\" already exists, every network must have a unique name",
                        path + ".networks[" + i + "].name"));
            }
        }
        Set<String> interfaceNames = names(interfaces);
        for (int i = 0; i < networks.size(); i++) {
            String name = networks.get(i).path("name").asText();
            if (!interfaceNames.contains(name)) {
                String field = path + ".networks[" + i + "].name";
                causes.add(new Cause("FieldValueRequired", field + " '" + name + "' not found.", field));
            }
        }
        seen.clear();
        for (int i = 0; i < interfaces.size(); i++) {
            if (!seen.add(interfaces.get(i).path("name").asText())) {
                causes.add(new Cause("FieldValueDuplicate", "Only one interface can be connected to one specific network",
                        path + ".domain.devices.interfaces[" + i + "].name"));
            }
        }
        Set<String> networkNames = names(networks);
        for (int i = 0; i < interfaces.size(); i++) {
            String name = interfaces.get(i).path("name").asText();
            if (!networkNames.contains(name)) {
                String field = path + ".domain.devices.interfaces[" + i + "].name";
                causes.add(new Cause("FieldValueInvalid", field + " '" + name + "' not found.", field));
            }
        }
    }

    /**
     * Every disk has a volume (an empty CD-ROM needs a feature gate jvirt does not offer); boot orders of disks, then
     * interfaces, unique; an interface's boot order > 0.
     */
    static void disksHaveVolumesAndBootOrders(JsonNode spec, String path, List<Cause> causes) {
        Set<String> volumes = names(spec.path("volumes"));
        Set<Integer> taken = new HashSet<>();
        JsonNode disks = spec.path("domain").path("devices").path("disks");
        for (int i = 0; i < disks.size(); i++) {
            JsonNode disk = disks.get(i);
            String name = disk.path("name").asText();
            String field = path + ".domain.devices.disks[" + i + "]";
            if (!volumes.contains(name) && !disk.has("cdrom")) {
                causes.add(new Cause("FieldValueInvalid", field + ".Name '" + name + "' not found.", field + ".name"));
            } else if (!volumes.contains(name)) {
                causes.add(new Cause("FieldValueInvalid", "DeclarativeHotplugVolumes feature gate not enabled, cannot define an empty CD-ROM disk",
                        field + ".name"));
            }
            if (disk.has("bootOrder") && !taken.add(disk.path("bootOrder").asInt())) {
                causes.add(new Cause("FieldValueInvalid", "Boot order for " + field + ".bootOrder already set for a different device.", field + ".bootOrder"));
            }
        }
        JsonNode interfaces = spec.path("domain").path("devices").path("interfaces");
        for (int i = 0; i < interfaces.size(); i++) {
            if (!interfaces.get(i).has("bootOrder")) {
                continue;
            }
            int order = interfaces.get(i).path("bootOrder").asInt();
            String field = path + ".domain.devices.interfaces[" + i + "].bootOrder";
            if (order < 1) {
                // (sic) KubeVirt indexes the spec path itself here, not the interface list
                causes.add(new Cause("FieldValueInvalid", path + "[" + i + "] must have a boot order > 0, if supplied", path + "[" + i + "].bootOrder"));
            } else if (!taken.add(order)) {
                causes.add(new Cause("FieldValueInvalid", "Boot order for " + field + " already set for a different device.", field));
            }
        }
    }

    /** Per disk: a name no earlier disk has, at most one of disk, lun and cdrom, a boot order > 0 if any. */
    static void disks(JsonNode spec, String path, List<Cause> causes) {
        String list = path + ".domain.devices.disks";
        JsonNode disks = spec.path("domain").path("devices").path("disks");
        for (int i = 0; i < disks.size(); i++) {
            JsonNode disk = disks.get(i);
            duplicateName(disks, i, list, true, causes);
            int targets = (disk.has("disk") ? 1 : 0) + (disk.has("lun") ? 1 : 0) + (disk.has("cdrom") ? 1 : 0);
            if (targets > 1) {
                causes.add(new Cause("FieldValueInvalid", list + "[" + i + "] can only have a single target type defined", list + "[" + i + "]"));
            }
            if (disk.has("bootOrder") && disk.path("bootOrder").asInt() < 1) {
                causes.add(new Cause("FieldValueInvalid", list + "[" + i + "] must have a boot order > 0, if supplied", list + "[" + i + "].bootOrder"));
            }
        }
    }

    /**
     * Per volume: a name no earlier volume has, exactly one source, a DataVolume name, a ServiceAccount name, cloud-init
     * data KubeVirt accepts; and at most one serviceAccount volume.
     */
    static void volumes(JsonNode spec, String path, List<Cause> causes) {
        String list = path + ".volumes";
        JsonNode volumes = spec.path("volumes");
        int serviceAccounts = 0;
        for (int i = 0; i < volumes.size(); i++) {
            JsonNode volume = volumes.get(i);
            String field = list + "[" + i + "]";
            duplicateName(volumes, i, list, false, causes);
            if (volume.hasNonNull("serviceAccount")) {
                serviceAccounts++;
                if (volume.path("serviceAccount").path("serviceAccountName").asText("").isEmpty()) {
                    String name = field + ".serviceAccount.serviceAccountName";
                    causes.add(new Cause("FieldValueInvalid", name + " is a required field", name));
                }
            }
            if (volume.has("dataVolume") && volume.path("dataVolume").path("name").asText("").isEmpty()) {
                causes.add(new Cause("FieldValueRequired", "DataVolume 'name' must be set", field + ".name"));
            }
            long sources = VOLUME_SOURCES.stream().filter(s -> volume.hasNonNull(s)).count();
            if (sources != 1) {
                causes.add(new Cause("FieldValueInvalid", field + " must have exactly one source type set", field));
            }
            for (String source : List.of("cloudInitNoCloud", "cloudInitConfigDrive")) {
                if (volume.hasNonNull(source)) {
                    cloudInit(volume.get(source), field + "." + source, source, causes);
                    break;
                }
            }
        }
        if (serviceAccounts > 1) {
            causes.add(new Cause("FieldValueInvalid", list + " must have max one serviceAccount volume set", list));
        }
    }

    /** User data and network data: at most one source each, at most 2048 bytes, base64 that decodes, and at least one of the two. */
    private static void cloudInit(JsonNode ci, String field, String source, List<Cause> causes) {
        int userSources = cloudInitData(ci, field, source, "user", "userdatasource", "UserDataSecretRef", causes);
        int networkSources = cloudInitData(ci, field, source, "network", "networkdata source", "NetworkDataSecretRef", causes);
        if (userSources == 0 && networkSources == 0) {
            causes.add(new Cause("FieldValueInvalid", field + " must have at least one userdatasource or one networkdatasource set.", field));
        }
    }

    /** @return how many sources of {@code kind} data are set */
    private static int cloudInitData(JsonNode ci, String field, String source, String kind, String sourceWord, String secretRef, List<Cause> causes) {
        int sources = 0;
        int length = 0;
        if (!ci.path(kind + "DataSecretRef").path("name").asText("").isEmpty()) {
            sources++;
        }
        String base64 = ci.path(kind + "DataBase64").asText("");
        if (!base64.isEmpty()) {
            sources++;
            try {
                length = Base64.getDecoder().decode(base64).length;
            } catch (IllegalArgumentException e) {
                String b64Field = field + "." + kind + "DataBase64";
                // (sic) KubeVirt names the volume source twice in this message
                causes.add(new Cause("FieldValueInvalid", b64Field + "." + source + "." + kind + "DataBase64 is not a valid base64 value.", b64Field));
            }
        }
        String plain = ci.path(kind + "Data").asText("");
        if (!plain.isEmpty()) {
            sources++;
            length = plain.getBytes(StandardCharsets.UTF_8).length;
        }
        if (sources > 1) {
            causes.add(new Cause("FieldValueInvalid", field + " must have only one " + sourceWord + " set.", field));
        }
        if (length > CLOUD_INIT_MAX) {
            causes.add(new Cause("FieldValueInvalid", field + " " + kind + "data exceeds " + CLOUD_INIT_MAX + " byte limit. Should use "
                    + secretRef + " for larger data.", field));
        }
        return sources;
    }

    /** VMI only (KubeVirt checks it after the VMI's defaults, which take the guest memory from requests, limits or hugepages). */
    static void memoryRequested(JsonNode vmi, List<Cause> causes) {
        JsonNode domain = vmi.path("spec").path("domain");
        boolean requested = domain.path("memory").hasNonNull("guest") || domain.path("memory").hasNonNull("hugepages")
                || domain.path("resources").path("requests").hasNonNull("memory") || domain.path("resources").path("limits").hasNonNull("memory");
        if (!requested) {
            causes.add(new Cause("FieldValueRequired", "no memory requested, at least one of 'spec.domain.memory.guest', "
                    + "'spec.domain.memory.hugepages.pageSize' or 'spec.domain.resources.requests.memory' must be set", null));
        }
    }

    /** Annotations that ask for a feature behind a gate jvirt does not offer, and KubeVirt's message for the gate being off. */
    public static final Map<String, String> GATED_ANNOTATIONS = Map.of(
            "kubevirt.io/ignitiondata", "ExperimentalIgnitionSupport feature gate is not enabled in kubevirt-config, invalid entry ",
            "hooks.kubevirt.io/hookSidecars", "sidecar feature gate is not enabled in kubevirt-config, invalid entry ");

    /**
     * The first of {@link #GATED_ANNOTATIONS} a VMI (its metadata) or a VM (its template's metadata) carries, or null.
     * Pure; used by the tests that check KubeVirt's examples are refused for it.
     */
    public static String gatedAnnotation(JsonNode object) {
        for (JsonNode metadata : List.of(object.path("metadata"), object.path("spec").path("template").path("metadata"))) {
            for (String annotation : GATED_ANNOTATIONS.keySet()) {
                if (!metadata.path("annotations").path(annotation).asText("").isEmpty()) return annotation;
            }
        }
        return null;
    }

    /**
     * KubeVirt's {@code ValidateVirtualMachineInstanceMetadata} (a VMI's metadata, a VM's template metadata): reserved
     * labels, then the ignition and sidecar annotations, whose feature gates jvirt does not offer (it runs no sidecar and
     * writes no ignition data), so they are refused as KubeVirt refuses them with the gate off.
     */
    static void metadata(JsonNode metadata, String metadataPath, List<Cause> causes) {
        reservedLabels(metadata, metadataPath, causes);
        for (String annotation : List.of("kubevirt.io/ignitiondata", "hooks.kubevirt.io/hookSidecars")) {
            if (!metadata.path("annotations").path(annotation).asText("").isEmpty()) {
                causes.add(Cause.invalid(metadataPath + ".annotations", GATED_ANNOTATIONS.get(annotation) + metadataPath + ".annotations." + annotation));
            }
        }
    }

    /**
     * Reserved labels on a new VMI or a VM's template. KubeVirt lets its own service accounts set them; jvirt's components
     * never create objects with them, so the rule applies to every caller.
     */
    static void reservedLabels(JsonNode metadata, String metadataPath, List<Cause> causes) {
        JsonNode labels = metadata.path("labels");
        if (RESERVED_LABELS.stream().anyMatch(labels::has)) {
            causes.add(new Cause("FieldValueNotSupported", "creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited",
                    metadataPath + ".labels"));
        }
    }

    /** A VM names exactly one of {@code running} and {@code runStrategy}, and a known run strategy. */
    static void runStrategy(JsonNode vm, List<Cause> causes) {
        JsonNode spec = vm.path("spec");
        boolean running = spec.hasNonNull("running");
        boolean strategy = spec.hasNonNull("runStrategy");
        if (running && strategy) {
            causes.add(new Cause("FieldValueInvalid",
                    "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead", "spec.running"));
        }
        if (!running && !strategy) {
            causes.add(new Cause("FieldValueInvalid", "RunStrategy must be specified", "spec.running"));
        }
        if (!strategy) {
            return;
        }
        String value = spec.get("runStrategy").asText();
        if (value.equals("WaitAsReceiver")) {
            causes.add(new Cause("FieldValueInvalid", "Invalid RunStrategy (WaitAsReceiver), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource",
                    "spec.runStrategy"));
        } else if (!RUN_STRATEGIES.contains(value)) {
            causes.add(new Cause("FieldValueInvalid", "Invalid RunStrategy (" + value + ")", "spec.runStrategy"));
        }
    }

    /** A replica set's selector (matchLabels and matchExpressions; absent selects nothing) matches its template's labels. */
    static void selectorMatchesTemplate(JsonNode rs, List<Cause> causes) {
        JsonNode selector = rs.path("spec").path("selector");
        JsonNode labels = rs.path("spec").path("template").path("metadata").path("labels");
        boolean matches = !selector.isMissingNode() && !selector.isNull();
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            matches &= labels.path(e.getKey()).isTextual() && labels.path(e.getKey()).asText().equals(e.getValue().asText());
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            String operator = expression.path("operator").asText();
            switch (operator) {
                case "In" -> matches &= labels.has(key) && values.contains(labels.path(key).asText());
                case "NotIn" -> matches &= !labels.has(key) || !values.contains(labels.path(key).asText());
                case "Exists" -> matches &= labels.has(key);
                case "DoesNotExist" -> matches &= !labels.has(key);
                default -> {
                    causes.add(new Cause("FieldValueInvalid", "\"" + operator + "\" is not a valid label selector operator", "spec.selector"));
                    return;
                }
            }
        }
        if (!matches) {
            causes.add(new Cause("FieldValueInvalid", "selector does not match labels.", "spec.selector"));
        }
    }

    /**
     * A cause for item {@code i} of {@code list} when an earlier item has its name: one per earlier namesake
     * ({@code everyEarlier}, as KubeVirt does for disks) or against the first only (as for volumes).
     */
    private static void duplicateName(JsonNode list, int i, String listPath, boolean everyEarlier, List<Cause> causes) {
        String name = list.get(i).path("name").asText();
        for (int other = 0; other < i; other++) {
            if (list.get(other).path("name").asText().equals(name)) {
                causes.add(new Cause("FieldValueInvalid", listPath + "[" + i + "] and " + listPath + "[" + other + "] must not have the same Name.",
                        listPath + "[" + i + "].name"));
                if (!everyEarlier) {
                    return;
                }
            }
        }
    }

    private static Set<String> names(JsonNode list) {
        Set<String> names = new HashSet<>();
        list.forEach(item -> names.add(item.path("name").asText()));
        return names;
    }
}
