package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * KubeVirt's VM mutating webhook for the instancetype and preference matchers
 * ({@code virtualmachines-mutator.kubevirt.io}): a matcher needs a {@code name} or an {@code inferFromVolume}, not
 * both, no {@code kind} beside {@code inferFromVolume}, a known {@code inferFromVolumeFailurePolicy} (422 with
 * KubeVirt's messages); then {@code inferFromVolume} is replaced by the name and kind found in the
 * {@code instancetype.kubevirt.io/default-instancetype[-kind]} (or {@code default-preference[-kind]}) labels of the
 * volume's PersistentVolumeClaim, DataVolume, or the PVC a DataVolume template clones (400 with KubeVirt's message
 * when it cannot; with {@code IgnoreInferFromVolumeFailure} the matcher is dropped instead); a named matcher without
 * a kind gets the cluster-wide one ({@code virtualmachineclusterinstancetype}, {@code virtualmachineclusterpreference});
 * a template without a machine type gets the preference's {@code preferredMachineType}. Create and update.
 * Thread-safe.
 */
public final class InstancetypeMatchers implements MutatingAdmitter {
    static final String NAME = "virtualmachines-mutator.kubevirt.io";
    private static final String IGNORE = "IgnoreInferFromVolumeFailure";
    private static final String REJECT = "RejectInferFromVolumeFailure";
    private final SizeLookup lookup;

    public InstancetypeMatchers(ObjectStore store) {
        this.lookup = new SizeLookup(store);
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        return r.operation() != Operation.DELETE && r.subresource() == null && r.type().group().equals("kubevirt.io")
                && r.type().kind().equals("VirtualMachine") && r.object() != null
                && (r.object().path("spec").has("instancetype") || r.object().path("spec").has("preference"));
    }

    @Override
    public void mutate(AdmissionRequest r) {
        List<Cause> causes = new ArrayList<>();
        validate("instancetype", r.object().path("spec").path("instancetype"), causes);
        validate("preference", r.object().path("spec").path("preference"), causes);
        if (!causes.isEmpty()) {
            String joined = String.join(", ", causes.stream().map(Cause::message).toList());
            throw new ApiException(422, "Invalid", "admission webhook \"" + NAME + "\" denied the request: " + joined, null, null, null, causes);
        }
        ObjectNode spec = (ObjectNode) r.object().get("spec");
        infer(r.object(), spec, "instancetype", "instancetype.kubevirt.io/default-instancetype");
        infer(r.object(), spec, "preference", "instancetype.kubevirt.io/default-preference");
        defaultKind(spec, "instancetype", "virtualmachineclusterinstancetype");
        defaultKind(spec, "preference", "virtualmachineclusterpreference");
        preferredMachineType(r, spec);
    }

    /**
     * KubeVirt's VM mutator defaults the template's machine type to the preference's {@code preferredMachineType}
     * (before the cluster's default, which the VM defaults add after this admitter). A preference not found is left
     * to the validator, which refuses it.
     */
    private void preferredMachineType(AdmissionRequest r, ObjectNode spec) {
        if (!(spec.path("template").path("spec").path("domain") instanceof ObjectNode domain) || domain.path("machine").has("type")) return;
        JsonNode status = r.oldObject() != null ? r.oldObject().path("status") : r.object().path("status");
        try {
            lookup.find(r.object(), status, true).map(p -> p.path("machine").path("preferredMachineType").asText(""))
                    .filter(type -> !type.isEmpty())
                    .ifPresent(type -> (domain.path("machine") instanceof ObjectNode m ? m : domain.putObject("machine")).put("type", type));
        } catch (SizeLookup.NotFound e) {
            // InstancetypeRules says so in KubeVirt's words
        }
    }

    /** KubeVirt's default for a named matcher without a kind: the cluster-wide kind, as its singular resource name. */
    private static void defaultKind(ObjectNode spec, String matcherType, String kind) {
        if (spec.path(matcherType) instanceof ObjectNode m && m.has("name") && m.path("kind").asText("").isEmpty()) m.put("kind", kind);
    }

    private static void validate(String matcherType, JsonNode matcher, List<Cause> causes) {
        if (!matcher.isObject()) return;
        String field = "spec." + matcherType;
        boolean named = !matcher.path("name").asText("").isEmpty();
        boolean infers = !matcher.path("inferFromVolume").asText("").isEmpty();
        if (!named && !infers) {
            causes.add(new Cause("FieldValueNotFound", "Either Name or InferFromVolume should be provided within the " + matcherType + " matcher", field));
        }
        if (infers && named) {
            causes.add(new Cause("FieldValueNotFound", "Name should not be provided when InferFromVolume is used within the " + matcherType + " matcher", field + ".name"));
        }
        if (infers && !matcher.path("kind").asText("").isEmpty()) {
            causes.add(new Cause("FieldValueNotFound", "Kind should not be provided when InferFromVolume is used within the " + matcherType + " matcher", field + ".kind"));
        }
        String policy = matcher.path("inferFromVolumeFailurePolicy").asText("");
        if (!policy.isEmpty() && !policy.equals(IGNORE) && !policy.equals(REJECT)) {
            causes.add(Cause.invalid(field + ".inferFromVolumeFailurePolicy", "Invalid value '" + policy + "' for InferFromVolumeFailurePolicy"));
        }
    }

    /** Why inference failed; {@code ignorable} failures honour {@code IgnoreInferFromVolumeFailure}. */
    private record Failure(String message, boolean ignorable) {}

    private void infer(ObjectNode vm, ObjectNode spec, String matcherType, String nameLabel) {
        JsonNode matcher = spec.path(matcherType);
        String volume = matcher.path("inferFromVolume").asText("");
        if (volume.isEmpty()) return;
        boolean ignore = IGNORE.equals(matcher.path("inferFromVolumeFailurePolicy").asText(""));
        Object found = fromVolume(vm, volume, nameLabel);
        if (found instanceof Failure f) {
            if (f.ignorable() && ignore) {
                spec.remove(matcherType);
                return;
            }
            throw new ApiException(400, "BadRequest", "admission webhook \"" + NAME + "\" denied the request: " + f.message(), null, null, null, List.of());
        }
        JsonNode labels = (JsonNode) found;
        if (ignore && matcherType.equals("instancetype")) {
            // the guest memory virtctl writes beside an inferred instancetype gives way to the instancetype's
            JsonNode domain = spec.path("template").path("spec").path("domain");
            if (domain instanceof ObjectNode d) d.remove("memory");
        }
        ObjectNode replaced = spec.putObject(matcherType).put("name", labels.path(nameLabel).asText());
        if (!labels.path(nameLabel + "-kind").asText("").isEmpty()) replaced.put("kind", labels.path(nameLabel + "-kind").asText());
    }

    /** The labels carrying the defaults, or a {@link Failure}. */
    private Object fromVolume(JsonNode vm, String volumeName, String nameLabel) {
        String namespace = vm.path("metadata").path("namespace").asText("");
        for (JsonNode v : vm.path("spec").path("template").path("spec").path("volumes")) {
            if (!volumeName.equals(v.path("name").asText())) continue;
            if (v.has("persistentVolumeClaim")) return fromPvc(namespace, v.path("persistentVolumeClaim").path("claimName").asText(""), nameLabel);
            if (v.has("dataVolume")) return fromDataVolume(vm, namespace, v.path("dataVolume").path("name").asText(""), nameLabel);
            return new Failure("unable to infer defaults from volume " + volumeName + " as type is not supported", true);
        }
        return new Failure("unable to find volume " + volumeName + " to infer defaults", false);
    }

    private Object fromPvc(String namespace, String name, String nameLabel) {
        Optional<JsonNode> pvc = lookup.read("", "persistentvolumeclaims", namespace, name);
        if (pvc.isEmpty()) return new Failure("persistentvolumeclaims \"" + name + "\" not found", false);
        return fromLabels(pvc.get().path("metadata").path("labels"), nameLabel);
    }

    private Object fromDataVolume(JsonNode vm, String namespace, String name, String nameLabel) {
        for (JsonNode t : vm.path("spec").path("dataVolumeTemplates")) {
            if (name.equals(t.path("metadata").path("name").asText())) return fromDataVolumeSpec(t.path("spec"), namespace, nameLabel);
        }
        Optional<JsonNode> dv = lookup.read("cdi.kubevirt.io", "datavolumes", namespace, name);
        if (dv.isEmpty()) return fromPvc(namespace, name, nameLabel); // a garbage-collected DataVolume leaves its PVC
        Object labels = fromLabels(dv.get().path("metadata").path("labels"), nameLabel);
        return labels instanceof Failure ? fromDataVolumeSpec(dv.get().path("spec"), namespace, nameLabel) : labels;
    }

    private Object fromDataVolumeSpec(JsonNode spec, String namespace, String nameLabel) {
        JsonNode pvc = spec.path("source").path("pvc");
        if (pvc.isObject()) return fromPvc(pvc.path("namespace").asText(namespace), pvc.path("name").asText(""), nameLabel);
        if (spec.path("sourceRef").isObject()) {
            String kind = spec.path("sourceRef").path("kind").asText();
            return new Failure("DataSource".equals(kind) ? "DataSources are not served by jvirt yet; cannot infer defaults from " + spec.path("sourceRef").path("name").asText()
                    : "unable to infer defaults from DataVolumeSourceRef as Kind " + kind + " is not supported", !"DataSource".equals(kind));
        }
        return new Failure("unable to infer defaults from DataVolumeSpec as DataVolumeSource is not supported", true);
    }

    private static Object fromLabels(JsonNode labels, String nameLabel) {
        if (!labels.has(nameLabel)) return new Failure("unable to find required " + nameLabel + " label on the volume", true);
        return labels;
    }
}
