package io.jvirt.apiserver.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.table.JsonPath;

/** The {@code scale} subresource of a CRD: an autoscaling/v1 Scale view and its write-back. Pure. */
public final class ScaleSubresource {
    private ScaleSubresource() {}

    /** The Scale view of {@code object}. @throws ApiException 404 when the type has no scale subresource */
    public static ObjectNode view(ResourceType type, ObjectNode object) {
        if (type.scale() == null) throw ApiException.pathNotFound("scale");
        ObjectNode scale = object.objectNode();
        scale.put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode meta = scale.putObject("metadata");
        JsonNode m = object.path("metadata");
        for (String f : new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) if (m.has(f)) meta.set(f, m.get(f));
        JsonNode spec = JsonPath.first(object, type.scale().specReplicasPath());
        scale.putObject("spec").put("replicas", spec.asInt(0));
        ObjectNode status = scale.putObject("status").put("replicas", JsonPath.first(object, type.scale().statusReplicasPath()).asInt(0));
        String sel = type.scale().labelSelectorPath();
        if (sel != null && !sel.isEmpty()) {
            JsonNode s = JsonPath.first(object, sel);
            if (s.isTextual()) status.put("selector", s.asText());
        }
        return scale;
    }

    /** {@code object} with spec replicas taken from the Scale {@code scale}. */
    static ObjectNode applyScale(ResourceType type, ObjectNode object, ObjectNode scale) {
        if (type.scale() == null) throw ApiException.pathNotFound("scale");
        JsonNode replicas = scale.path("spec").path("replicas");
        if (!replicas.isIntegralNumber() || replicas.asInt() < 0) {
            throw ApiException.invalid("Scale", "autoscaling", "scale", object.path("metadata").path("name").asText(),
                    java.util.List.of(io.jvirt.apiserver.http.Cause.invalid("spec.replicas", "Invalid value: " + replicas + ": must be greater than or equal to 0")));
        }
        ObjectNode next = object.deepCopy();
        String[] path = type.scale().specReplicasPath().replaceFirst("^\\.", "").split("\\.");
        ObjectNode cur = next;
        for (int i = 0; i < path.length - 1; i++) cur = cur.withObjectProperty(path[i]);
        cur.put(path[path.length - 1], replicas.asInt());
        return next;
    }
}
