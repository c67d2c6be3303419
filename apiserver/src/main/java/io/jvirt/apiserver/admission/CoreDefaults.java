package io.jvirt.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Defaults the real apiserver applies to core types on create: Secret {@code type: Opaque},
 * Service {@code spec.type: ClusterIP}, Pod and PersistentVolumeClaim {@code status.phase: Pending},
 * PersistentVolume {@code status.phase: Available}. Idempotent; never overrides a set value.
 */
public final class CoreDefaults implements MutatingAdmitter {
    @Override
    public boolean handles(AdmissionRequest r) {
        return r.operation() == Operation.CREATE && r.subresource() == null && r.type().group().isEmpty();
    }

    @Override
    public void mutate(AdmissionRequest r) {
        ObjectNode o = r.object();
        switch (r.type().kind()) {
            case "Secret" -> { if (!o.hasNonNull("type")) o.put("type", "Opaque"); }
            case "Service" -> {
                if (!objectOrAbsent(o, "spec")) return;
                ObjectNode spec = o.withObjectProperty("spec");
                if (!spec.hasNonNull("type")) spec.put("type", "ClusterIP");
            }
            case "Pod", "PersistentVolumeClaim" -> phase(o, "Pending");
            case "PersistentVolume" -> phase(o, "Available");
            default -> { }
        }
    }

    /** A field of the wrong type is left alone: the schema refuses it after the mutators. */
    private static boolean objectOrAbsent(ObjectNode o, String field) {
        return o.path(field).isObject() || o.path(field).isMissingNode() || o.path(field).isNull();
    }

    private static void phase(ObjectNode o, String phase) {
        if (!objectOrAbsent(o, "status")) return;
        ObjectNode status = o.withObjectProperty("status");
        if (!status.hasNonNull("phase")) status.put("phase", phase);
    }
}
