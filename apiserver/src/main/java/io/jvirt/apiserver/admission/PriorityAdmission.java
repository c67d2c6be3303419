package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.store.KeyPrefix;
import io.jvirt.store.ListOptions;
import io.jvirt.store.ObjectKey;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * kube-apiserver's Priority admission plugin and PriorityClass validation ({@code scheduling.k8s.io/v1}), with its
 * codes and messages. A new pod gets {@code spec.priority} (and {@code preemptionPolicy}) from its
 * {@code priorityClassName}, or from the class marked {@code globalDefault} when it names none (0 without one); a name
 * no PriorityClass has is 403 {@code no PriorityClass with name X was found}. A PriorityClass: its value at most
 * 1000000000 unless it is one of the two system classes exactly, the {@code system-} prefix reserved for those, value
 * and preemption policy immutable, only one {@code globalDefault} (403), the system classes never deleted (403).
 * Reads the PriorityClasses from the store at each write; thread-safe.
 */
public final class PriorityAdmission implements MutatingAdmitter, ValidatingAdmitter {
    static final String GROUP = "scheduling.k8s.io";
    static final String PLURAL = "priorityclasses";
    /** kube's {@code HighestUserDefinablePriority}. */
    static final long HIGHEST_USER_DEFINABLE = 1_000_000_000L;
    /** kube's {@code SystemCriticalPriority}. */
    static final long SYSTEM_CRITICAL = 2 * HIGHEST_USER_DEFINABLE;
    static final List<String> PREEMPTION_POLICIES = List.of("Never", "PreemptLowerPriority");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The PriorityClasses kube-apiserver creates at start, with its values and descriptions. */
    public static final List<ObjectNode> SYSTEM_CLASSES = List.of(
            systemClass("system-node-critical", SYSTEM_CRITICAL + 1000, "Used for system critical pods that must not be moved from their current node."),
            systemClass("system-cluster-critical", SYSTEM_CRITICAL,
                    "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."));

    private final ObjectStore store;

    public PriorityAdmission(ObjectStore store) {
        this.store = store;
    }

    private static ObjectNode systemClass(String name, long value, String description) {
        ObjectNode pc = JSON.createObjectNode().put("apiVersion", GROUP + "/v1").put("kind", "PriorityClass");
        pc.putObject("metadata").put("name", name);
        return pc.put("value", value).put("description", description).put("preemptionPolicy", "PreemptLowerPriority");
    }

    @Override
    public String name() {
        return "Priority";
    }

    /** Pods on create (mutating); PriorityClasses on create, update and delete; never subresources. */
    @Override
    public boolean handles(AdmissionRequest r) {
        if (r.subresource() != null) return false;
        if (isPod(r)) return r.operation() == Operation.CREATE;
        return r.type().group().equals(GROUP) && r.type().plural().equals(PLURAL);
    }

    private static boolean isPod(AdmissionRequest r) {
        return r.type().group().isEmpty() && r.type().plural().equals("pods");
    }

    /** A pod's priority from its class; a PriorityClass's {@code preemptionPolicy} defaults to PreemptLowerPriority. */
    @Override
    public void mutate(AdmissionRequest r) {
        ObjectNode object = r.object();
        if (!isPod(r)) {
            if (r.operation() != Operation.DELETE && !object.hasNonNull("preemptionPolicy")) object.put("preemptionPolicy", "PreemptLowerPriority");
            return;
        }
        if (!(object.get("spec") instanceof ObjectNode spec)) return; // the schema refuses it
        String podName = object.path("metadata").path("name").asText();
        String className = spec.path("priorityClassName").asText("");
        JsonNode pc;
        if (className.isEmpty()) {
            pc = globalDefault().orElse(null);
            if (pc != null) className = pc.path("metadata").path("name").asText();
        } else {
            pc = find(className).orElseThrow(() -> forbidden("pods", "", podName, "no PriorityClass with name " + spec.path("priorityClassName").asText()
                    + " was found"));
        }
        long priority = pc == null ? 0 : pc.path("value").asLong();
        JsonNode given = spec.get("priority");
        if (given != null && !given.isNull() && given.asLong() != priority) {
            throw forbidden("pods", "", podName, "the integer value of priority (" + given.asText() + ") must not be provided in pod spec; "
                    + "priority admission controller computed " + priority + " from the given PriorityClass name");
        }
        String policy = pc == null ? null : pc.path("preemptionPolicy").asText(null);
        JsonNode givenPolicy = spec.get("preemptionPolicy");
        if (policy != null && givenPolicy != null && !givenPolicy.isNull() && !givenPolicy.asText().equals(policy)) {
            throw forbidden("pods", "", podName, "the string value of PreemptionPolicy (" + givenPolicy.asText() + ") must not be provided in pod spec; "
                    + "priority admission controller computed " + policy + " from the given PriorityClass name");
        }
        if (!className.isEmpty()) spec.put("priorityClassName", className);
        spec.put("priority", priority);
        if (policy != null) spec.put("preemptionPolicy", policy);
    }

    /** PriorityClass validation (422) and the plugin's checks (403); pods have been handled by {@link #mutate}. */
    @Override
    public List<Cause> validate(AdmissionRequest r) {
        if (isPod(r)) return List.of();
        String name = (r.operation() == Operation.DELETE ? r.oldObject() : r.object()).path("metadata").path("name").asText();
        if (r.operation() == Operation.DELETE) {
            if (SYSTEM_CLASSES.stream().anyMatch(c -> c.path("metadata").path("name").asText().equals(name))) {
                throw forbidden(PLURAL, GROUP, name, "this is a system priority class and cannot be deleted");
            }
            return List.of();
        }
        ObjectNode pc = r.object();
        JsonNode valueNode = pc.get("value");
        if (valueNode != null && !valueNode.isNull() && (!valueNode.canConvertToInt() || !valueNode.isIntegralNumber())) {
            throw ApiException.decodeError(r.type().kind(), r.type().version(), valueNode, "PriorityClass.value", "int32");
        }
        long value = pc.path("value").asLong(0);
        boolean globalDefault = pc.path("globalDefault").asBoolean(false);
        List<Cause> causes = new ArrayList<>();
        if (name.startsWith("system-")) {
            String error = knownSystemClassError(name, value, globalDefault);
            if (error != null) {
                causes.add(new Cause("FieldValueForbidden", "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: "
                        + error, "metadata.name"));
            }
        } else if (value > HIGHEST_USER_DEFINABLE) {
            causes.add(new Cause("FieldValueForbidden", "Forbidden: maximum allowed value of a user defined priority is " + HIGHEST_USER_DEFINABLE, "value"));
        }
        String policy = pc.path("preemptionPolicy").asText("");
        if (!PREEMPTION_POLICIES.contains(policy)) {
            causes.add(new Cause("FieldValueNotSupported", "Unsupported value: \"" + policy + "\": supported values: \"Never\", \"PreemptLowerPriority\"",
                    "preemptionPolicy"));
        }
        if (r.operation() == Operation.UPDATE) {
            ObjectNode old = r.oldObject();
            if (old.path("value").asLong(0) != value) causes.add(new Cause("FieldValueForbidden", "Forbidden: may not be changed in an update.", "value"));
            if (!old.path("preemptionPolicy").asText("").equals(policy)) {
                causes.add(Cause.invalid("preemptionPolicy", "Invalid value: \"" + policy + "\": field is immutable"));
            }
        }
        if (!causes.isEmpty()) throw ApiException.invalid("PriorityClass", GROUP, PLURAL, name, causes);
        if (globalDefault) {
            Optional<JsonNode> other = globalDefault();
            if (other.isPresent() && !other.get().path("metadata").path("name").asText().equals(name)) {
                throw forbidden(PLURAL, GROUP, name, "PriorityClass " + other.get().path("metadata").path("name").asText()
                        + " is already marked as default. Only one default can exist");
            }
        }
        return List.of();
    }

    /** kube's {@code IsKnownSystemPriorityClass}: null when {@code name} is a system class with exactly its value and globalDefault. */
    static String knownSystemClassError(String name, long value, boolean globalDefault) {
        for (ObjectNode c : SYSTEM_CLASSES) {
            if (!c.path("metadata").path("name").asText().equals(name)) continue;
            if (c.path("value").asLong() != value) return "value of " + name + " PriorityClass must be " + c.path("value").asLong();
            if (globalDefault) return "globalDefault of " + name + " PriorityClass must be false";
            return null;
        }
        return name + " is not a known system priority class";
    }

    private Optional<JsonNode> find(String name) {
        return store.get(ObjectKey.cluster(GROUP, PLURAL, name)).map(PriorityAdmission::parse);
    }

    /** The class marked {@code globalDefault}; of several (a race), the lowest value, as kube picks. */
    private Optional<JsonNode> globalDefault() {
        JsonNode best = null;
        for (StoredObject o : store.list(KeyPrefix.of(GROUP, PLURAL), ListOptions.ALL).items()) {
            JsonNode pc = parse(o);
            if (pc.path("globalDefault").asBoolean(false) && (best == null || pc.path("value").asLong() < best.path("value").asLong())) best = pc;
        }
        return Optional.ofNullable(best);
    }

    private static JsonNode parse(StoredObject o) {
        try {
            return JSON.readTree(o.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kube's {@code admission.NewForbidden}: {@code <plural>[.group] "<name>" is forbidden: <why>}. */
    private static ApiException forbidden(String plural, String group, String name, String why) {
        String resource = group.isEmpty() ? plural : plural + "." + group;
        return new ApiException(403, "Forbidden", resource + " \"" + name + "\" is forbidden: " + why, name, group, plural, List.of());
    }
}
