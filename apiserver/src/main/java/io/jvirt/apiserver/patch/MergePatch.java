package io.jvirt.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386) and the strategic-merge variant jvirt offers for built-in types:
 * like a merge patch, except that lists of objects with a {@code name} key (containers, volumes,
 * ports, env, disks...) are merged element by element by name, {@code $patch: delete} removes an
 * element, and other {@code $}-directives are ignored. Pure: returns a new tree.
 */
public final class MergePatch {
    private MergePatch() {}

    public static JsonNode apply(JsonNode target, JsonNode patch) {
        return merge(target, patch, false);
    }

    public static JsonNode applyStrategic(JsonNode target, JsonNode patch) {
        return merge(target, patch, true);
    }

    private static JsonNode merge(JsonNode target, JsonNode patch, boolean strategic) {
        if (!patch.isObject()) return patch.deepCopy();
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : ((ObjectNode) patch).objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (strategic && key.startsWith("$")) continue;
            if (value.isNull()) {
                result.remove(key);
            } else if (strategic && value.isArray() && result.path(key).isArray() && namedList(value) && namedList(result.get(key))) {
                result.set(key, mergeNamedLists((ArrayNode) result.get(key), (ArrayNode) value));
            } else {
                result.set(key, merge(result.get(key), value, strategic));
            }
        }
        return result;
    }

    private static boolean namedList(JsonNode arr) {
        if (arr.isEmpty()) return true;
        for (JsonNode e : arr) if (!e.isObject() || !e.has("name")) return false;
        return true;
    }

    private static ArrayNode mergeNamedLists(ArrayNode current, ArrayNode patch) {
        ArrayNode out = current.deepCopy();
        for (JsonNode p : patch) {
            String name = p.path("name").asText();
            int idx = -1;
            for (int i = 0; i < out.size(); i++) if (out.get(i).path("name").asText().equals(name)) idx = i;
            boolean delete = "delete".equals(p.path("$patch").asText());
            if (delete) {
                if (idx >= 0) out.remove(idx);
            } else if (idx >= 0) {
                out.set(idx, merge(out.get(idx), p, true));
            } else {
                out.add(merge(null, p, true));
            }
        }
        return out;
    }
}
