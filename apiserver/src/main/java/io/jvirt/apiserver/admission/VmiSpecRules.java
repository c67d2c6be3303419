package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.Cause;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KubeVirt's validation of a VMI spec, with its messages and field paths, for VirtualMachineInstances
 * ({@code spec}) and the templates of VirtualMachines and replica sets ({@code spec.template.spec}): the
 * rules in {@link #RULES}, applied in that order, plus reserved labels on VMI creation and the VM's
 * run strategy. Each finding is one 422 cause. Stateless; thread-safe.
 */
public final class VmiSpecRules implements ValidatingAdmitter {
    /** KubeVirt's limit for cloud-init user and network data ({@code cloudInitUserMaxLen}). */
    static final int CLOUD_INIT_MAX = 2048;
    /** Labels only KubeVirt's own components may set on a VMI. */
    static final List<String> RESERVED_LABELS = List.of("kubevirt.io/created-by", "kubevirt.io/migrationJobUID", "kubevirt.io/nodeName",
            "kubevirt.io/migrationTargetNodeName", "kubevirt.io/schedulable", "kubevirt.io/install-strategy");
    static final List<String> RUN_STRATEGIES = List.of("Always", "RerunOnFailure", "Manual", "Halted", "Once", "WaitAsReceiver");

    /** One rule over the spec found at {@code path}; adds what it finds to {@code causes}. */
    @FunctionalInterface
    interface Rule {
        void check(JsonNode spec, String path, List<Cause> causes);
    }

    /** Skipped for a VM with an instancetype, which supplies the memory. */
    static final Rule MEMORY = VmiSpecRules::memoryRequested;
    static final List<Rule> RULES = List.of(
            VmiSpecRules::uniqueNames,
            VmiSpecRules::disksHaveVolumes,
            VmiSpecRules::interfacesHaveNetworks,
            VmiSpecRules::oneSourcePerVolume,
            MEMORY,
            VmiSpecRules::cloudInitData,
            VmiSpecRules::bootOrders);

    @Override
    public String name() {
        return "virtualmachine-validator.kubevirt.io";
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        return r.subresource() == null && r.operation() != Operation.DELETE && r.type().group().equals("kubevirt.io")
                && (r.type().kind().equals("VirtualMachine") || r.type().kind().equals("VirtualMachineInstance")
                    || r.type().kind().equals("VirtualMachineInstanceReplicaSet"));
    }

    @Override
    public List<Cause> validate(AdmissionRequest r) {
        boolean vmi = r.type().kind().equals("VirtualMachineInstance");
        String path = vmi ? "spec" : "spec.template.spec";
        JsonNode spec = vmi ? r.object().path("spec") : r.object().path("spec").path("template").path("spec");
        List<Cause> causes = new ArrayList<>();
        if (r.type().kind().equals("VirtualMachine")) {
            runStrategy(r.object().path("spec"), causes);
        }
        if (vmi && r.operation() == Operation.CREATE) {
            reservedLabels(r.object().path("metadata").path("labels"), causes);
        }
        boolean instancetype = !vmi && r.object().path("spec").has("instancetype");
        for (Rule rule : RULES) {
            if (rule != MEMORY || !instancetype) {
                rule.check(spec, path, causes);
            }
        }
        return causes;
    }

    static void uniqueNames(JsonNode spec, String path, List<Cause> causes) {
        unique(spec.path("domain").path("devices").path("disks"), path + ".domain.devices.disks", causes);
        unique(spec.path("volumes"), path + ".volumes", causes);
        unique(spec.path("domain").path("devices").path("interfaces"), path + ".domain.devices.interfaces", causes);
        unique(spec.path("networks"), path + ".networks", causes);
    }

    private static void unique(JsonNode list, String listPath, List<Cause> causes) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Integer first = seen.putIfAbsent(list.get(i).path("name").asText(), i);
            if (first != null) {
                causes.add(new Cause("FieldValueDuplicate", listPath + "[" + i + "] and " + listPath + "[" + first + "] must not have the same Name.",
                        listPath + "[" + i + "].name"));
            }
        }
    }

    static void disksHaveVolumes(JsonNode spec, String path, List<Cause> causes) {
        Set<String> volumes = names(spec.path("volumes"));
        JsonNode disks = spec.path("domain").path("devices").path("disks");
        for (int i = 0; i < disks.size(); i++) {
            String name = disks.get(i).path("name").asText();
            if (!volumes.contains(name)) {
                String field = path + ".domain.devices.disks[" + i + "]";
                causes.add(new Cause("FieldValueInvalid", field + ".Name '" + name + "' not found.", field + ".name"));
            }
        }
    }

    static void interfacesHaveNetworks(JsonNode spec, String path, List<Cause> causes) {
        Set<String> networks = names(spec.path("networks"));
        JsonNode interfaces = spec.path("domain").path("devices").path("interfaces");
        for (int i = 0; i < interfaces.size(); i++) {
            String name = interfaces.get(i).path("name").asText();
            if (!networks.contains(name)) {
                String field = path + ".domain.devices.interfaces[" + i + "].name";
                causes.add(new Cause("FieldValueInvalid", field + " '" + name + "' not found.", field));
            }
        }
    }

    static void oneSourcePerVolume(JsonNode spec, String path, List<Cause> causes) {
        JsonNode volumes = spec.path("volumes");
        for (int i = 0; i < volumes.size(); i++) {
            int sources = 0;
            for (Iterator<String> f = volumes.get(i).fieldNames(); f.hasNext(); ) {
                if (!f.next().equals("name")) {
                    sources++;
                }
            }
            if (sources != 1) {
                String field = path + ".volumes[" + i + "]";
                causes.add(new Cause("FieldValueRequired", field + " must have exactly one source type set", field));
            }
        }
    }

    static void memoryRequested(JsonNode spec, String path, List<Cause> causes) {
        JsonNode domain = spec.path("domain");
        boolean requested = domain.path("memory").hasNonNull("guest") || domain.path("memory").path("hugepages").hasNonNull("pageSize")
                || domain.path("resources").path("requests").hasNonNull("memory") || domain.path("resources").path("limits").hasNonNull("memory");
        if (!requested) {
            causes.add(new Cause("FieldValueRequired", "no memory requested, at least one of 'spec.domain.memory.guest', "
                    + "'spec.domain.memory.hugepages.pageSize' or 'spec.domain.resources.requests.memory' must be set",
                    path + ".domain.resources.requests.memory"));
        }
    }

    static void cloudInitData(JsonNode spec, String path, List<Cause> causes) {
        JsonNode volumes = spec.path("volumes");
        for (int i = 0; i < volumes.size(); i++) {
            for (String source : List.of("cloudInitNoCloud", "cloudInitConfigDrive")) {
                JsonNode ci = volumes.get(i).path(source);
                if (ci.isMissingNode()) {
                    continue;
                }
                String field = path + ".volumes[" + i + "]." + source;
                for (String kind : List.of("user", "network")) {
                    int size = ci.path(kind + "Data").asText("").getBytes(StandardCharsets.UTF_8).length;
                    String b64Field = kind + "DataBase64";
                    if (ci.hasNonNull(b64Field)) {
                        try {
                            size = Math.max(size, Base64.getDecoder().decode(ci.get(b64Field).asText()).length);
                        } catch (IllegalArgumentException e) {
                            causes.add(new Cause("FieldValueInvalid", field + "." + b64Field + " is not a valid base64 value.", field + "." + b64Field));
                            continue;
                        }
                    }
                    if (size > CLOUD_INIT_MAX) {
                        causes.add(new Cause("FieldValueTooLong", field + " " + kind + "data exceeds " + CLOUD_INIT_MAX
                                + " byte limit. Should use " + (kind.equals("user") ? "UserDataSecretRef" : "NetworkDataSecretRef")
                                + " for larger data.", field));
                    }
                }
            }
        }
    }

    static void bootOrders(JsonNode spec, String path, List<Cause> causes) {
        Set<Integer> taken = new HashSet<>();
        for (String list : List.of("disks", "interfaces")) {
            JsonNode devices = spec.path("domain").path("devices").path(list);
            for (int i = 0; i < devices.size(); i++) {
                if (!devices.get(i).has("bootOrder")) {
                    continue;
                }
                int order = devices.get(i).path("bootOrder").asInt();
                String field = path + ".domain.devices." + list + "[" + i + "].bootOrder";
                if (order < 1) {
                    causes.add(new Cause("FieldValueInvalid", path + ".domain.devices." + list + "[" + i + "] must have a boot order > 0, if supplied", field));
                } else if (!taken.add(order)) {
                    causes.add(new Cause("FieldValueInvalid", "Boot order for " + field + " already set for a different device.", field));
                }
            }
        }
    }

    static void reservedLabels(JsonNode labels, List<Cause> causes) {
        for (String reserved : RESERVED_LABELS) {
            if (labels.has(reserved)) {
                causes.add(new Cause("FieldValueNotSupported", "creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited",
                        "metadata.labels"));
                return;
            }
        }
    }

    static void runStrategy(JsonNode vmSpec, List<Cause> causes) {
        if (vmSpec.hasNonNull("running") && vmSpec.hasNonNull("runStrategy")) {
            causes.add(new Cause("FieldValueInvalid",
                    "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead", "spec.running"));
        }
        if (vmSpec.hasNonNull("runStrategy") && !RUN_STRATEGIES.contains(vmSpec.get("runStrategy").asText())) {
            causes.add(new Cause("FieldValueInvalid", "Invalid RunStrategy (" + vmSpec.get("runStrategy").asText() + ")", "spec.runStrategy"));
        }
    }

    private static Set<String> names(JsonNode list) {
        Set<String> names = new HashSet<>();
        list.forEach(item -> names.add(item.path("name").asText()));
        return names;
    }
}
