package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.instancetype.Expansion;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.store.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * KubeVirt's admission of a VirtualMachine that references an instancetype or preference (part of
 * {@code virtualmachine-validator.kubevirt.io}, checked first as in KubeVirt): the referenced objects must exist
 * ({@code Failure to find instancetype: virtualmachineinstancetypes.instancetype.kubevirt.io "x" not found}, field
 * {@code spec.instancetype}) and the template must not set what the instancetype sets ({@code VM field(s)
 * spec.template.spec.domain.memory.guest conflicts with selected instance type}, one cause per field; see
 * {@link Expansion} for the one deviation). Create and update of the main resource; not once the VM is being
 * deleted. Thread-safe.
 */
public final class InstancetypeRules implements ValidatingAdmitter {
    private final SizeLookup lookup;

    public InstancetypeRules(ObjectStore store) {
        this.lookup = new SizeLookup(store);
    }

    @Override
    public String name() {
        return "virtualmachine-validator.kubevirt.io";
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        return r.operation() != Operation.DELETE && r.subresource() == null && r.type().group().equals("kubevirt.io")
                && r.type().kind().equals("VirtualMachine") && r.object() != null
                && r.object().path("metadata").path("deletionTimestamp").isMissingNode()
                && (r.object().path("spec").has("instancetype") || r.object().path("spec").has("preference"));
    }

    @Override
    public List<Cause> validate(AdmissionRequest r) {
        JsonNode vm = r.object();
        JsonNode status = r.oldObject() != null ? r.oldObject().path("status") : vm.path("status");
        Optional<JsonNode> instancetype;
        Optional<JsonNode> preference;
        try {
            instancetype = lookup.find(vm, status, false);
        } catch (SizeLookup.NotFound e) {
            return List.of(new Cause("FieldValueNotFound", "Failure to find instancetype: " + e.getMessage(), "spec.instancetype"));
        }
        try {
            preference = lookup.find(vm, status, true);
        } catch (SizeLookup.NotFound e) {
            return List.of(new Cause("FieldValueNotFound", "Failure to find preference: " + e.getMessage(), "spec.preference"));
        }
        JsonNode template = vm.path("spec").path("template");
        ObjectNode spec = template.path("spec").isObject() ? template.path("spec").deepCopy() : JsonNodeFactory.instance.objectNode();
        ObjectNode metadata = template.path("metadata").isObject() ? template.path("metadata").deepCopy() : JsonNodeFactory.instance.objectNode();
        List<Cause> causes = new ArrayList<>();
        for (String field : Expansion.apply(spec, metadata, instancetype.orElse(null), preference.orElse(null), "spec.template.spec")) {
            causes.add(Cause.invalid(field, Expansion.CONFLICT_FORMAT.formatted(field)));
        }
        return causes;
    }
}
