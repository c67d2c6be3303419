package io.jvirt.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386) and the strategic-merge variant jvirt offers for built-in types.
 * Strategic merge: like a merge patch, except that a list whose schema names an
 * {@code x-kubernetes-patch-merge-key} (or, without a schema, a list of objects that all have a
 * {@code name}) is merged element by element on that key; {@code $patch: delete|replace} on list
 * elements and maps, and {@code $deleteFromPrimitiveList/<field>} are honoured; {@code $setElementOrder}
 * and {@code $retainKeys} are ignored. Pure: returns a new tree.
 */
public final class MergePatch {
    private MergePatch() {}

    public static JsonNode apply(JsonNode target, JsonNode patch) {
        return merge(target, patch, false, null);
    }

    /** Strategic merge without a schema (merge keys default to {@code name}). */
    public static JsonNode applyStrategic(JsonNode target, JsonNode patch) {
        return merge(target, patch, true, null);
    }

    /** Strategic merge using the merge keys declared in {@code schema} (may be null). */
    public static JsonNode applyStrategic(JsonNode target, JsonNode patch, JsonNode schema) {
        return merge(target, patch, true, schema);
    }

    private static JsonNode child(JsonNode schema, String key) {
        if (schema == null) return null;
        JsonNode p = schema.path("properties").path(key);
        if (p.isObject()) return p;
        JsonNode a = schema.path("additionalProperties");
        return a.isObject() ? a : null;
    }

    private static JsonNode merge(JsonNode target, JsonNode patch, boolean strategic, JsonNode schema) {
        if (!patch.isObject()) return patch.deepCopy();
        if (strategic && "replace".equals(patch.path("$patch").asText())) return withoutDirectives((ObjectNode) patch);
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : ((ObjectNode) patch).objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (strategic && key.startsWith("$deleteFromPrimitiveList/")) {
                String field = key.substring("$deleteFromPrimitiveList/".length());
                if (result.path(field).isArray()) {
                    ArrayNode kept = result.arrayNode();
                    for (JsonNode v : result.get(field)) if (!contains(value, v)) kept.add(v);
                    result.set(field, kept);
                }
                continue;
            }
            if (strategic && key.startsWith("$")) continue;
            JsonNode childSchema = child(schema, key);
            if (value.isNull() || (strategic && value.isObject() && "delete".equals(value.path("$patch").asText()))) {
                result.remove(key);
            } else if (strategic && value.isArray()) {
                result.set(key, mergeList(result.get(key), (ArrayNode) value, childSchema));
            } else {
                result.set(key, merge(result.get(key), value, strategic, childSchema));
            }
        }
        return result;
    }

    private static JsonNode mergeList(JsonNode current, ArrayNode patch, JsonNode schema) {
        String mergeKey = schema == null ? null : schema.path("x-kubernetes-patch-merge-key").asText(null);
        if (mergeKey == null && allNamed(patch) && (current == null || !current.isArray() || allNamed(current))) mergeKey = "name";
        boolean replace = false;
        ArrayNode elements = patch.arrayNode();
        for (JsonNode p : patch) {
            if (p.isObject() && "replace".equals(p.path("$patch").asText()) && p.size() == 1) replace = true;
            else elements.add(p);
        }
        if (mergeKey == null || replace || current == null || !current.isArray()) return stripElementDirectives(elements);
        JsonNode items = schema == null ? null : schema.path("items");
        ArrayNode out = ((ArrayNode) current).deepCopy();
        for (JsonNode p : elements) {
            if (!p.isObject() || !p.has(mergeKey)) {
                out.add(p.deepCopy());
                continue;
            }
            JsonNode keyValue = p.get(mergeKey);
            int idx = -1;
            for (int i = 0; i < out.size(); i++) if (keyValue.equals(out.get(i).get(mergeKey))) idx = i;
            if ("delete".equals(p.path("$patch").asText())) {
                if (idx >= 0) out.remove(idx);
            } else if (idx >= 0) {
                out.set(idx, merge(out.get(idx), p, true, items));
            } else {
                out.add(merge(null, p, true, items));
            }
        }
        return out;
    }

    private static boolean allNamed(JsonNode arr) {
        boolean any = false;
        for (JsonNode e : arr) {
            if (e.isObject() && e.has("$patch") && !e.has("name")) continue;
            if (!e.isObject() || !e.has("name")) return false;
            any = true;
        }
        return any || arr.isEmpty();
    }

    private static ArrayNode stripElementDirectives(ArrayNode list) {
        ArrayNode out = list.arrayNode();
        for (JsonNode e : list) {
            if (e.isObject() && e.has("$patch")) {
                if ("delete".equals(e.path("$patch").asText())) continue;
                out.add(withoutDirectives((ObjectNode) e));
            } else {
                out.add(e.deepCopy());
            }
        }
        return out;
    }

    private static ObjectNode withoutDirectives(ObjectNode o) {
        ObjectNode out = o.deepCopy();
        out.properties().removeIf(e -> e.getKey().startsWith("$"));
        return out;
    }

    private static boolean contains(JsonNode arr, JsonNode v) {
        for (JsonNode x : arr) if (x.equals(v)) return true;
        return false;
    }
}
