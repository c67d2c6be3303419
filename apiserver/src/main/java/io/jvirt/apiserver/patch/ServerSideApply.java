package io.jvirt.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A simplified server-side apply: the applied configuration is merged into the live object (maps
 * recursively, lists of objects keyed by {@code name} element-wise, other lists replaced); fields the
 * same manager applied last time but no longer applies are removed; the manager's
 * {@code managedFields} entry (operation Apply, FieldsV1) records what it now owns. A field another
 * manager owns that the apply would change is an {@link ApplyConflicts} 409, unless {@code force}
 * moves it to this manager. Pure: returns a new tree.
 */
public final class ServerSideApply {
    private ServerSideApply() {}

    /** Applies {@code applied} as {@code manager}; throws the 409 Conflict when another manager owns a changed field and not {@code force}. */
    public static ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, String apiVersion, boolean force) {
        ObjectNode previousSet = previousFields(live, manager);
        ObjectNode newSet = fieldSet(applied, true);
        List<ApplyConflicts.Conflict> conflicts = ApplyConflicts.find(live, applied, newSet, manager);
        if (!conflicts.isEmpty() && !force) throw ApplyConflicts.error(conflicts);
        ObjectNode result = (ObjectNode) MergePatch.applyStrategic(live, stripNulls(applied));
        if (previousSet != null) removeDropped(result, previousSet, newSet);
        ObjectNode meta = result.withObjectProperty("metadata");
        ArrayNode managed = JsonNodeFactory.instance.arrayNode();
        for (JsonNode e : live.path("metadata").path("managedFields")) {
            if (!(manager.equals(e.path("manager").asText()) && "Apply".equals(e.path("operation").asText()))) managed.add(e.deepCopy());
        }
        if (!conflicts.isEmpty()) {
            ApplyConflicts.takeOver(managed, conflicts);
            for (int i = managed.size() - 1; i >= 0; i--) {
                if (managed.get(i).path("fieldsV1").isObject() && managed.get(i).get("fieldsV1").isEmpty()) managed.remove(i);
            }
        }
        ObjectNode entry = managed.addObject();
        entry.put("manager", manager).put("operation", "Apply").put("apiVersion", apiVersion)
                .put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).put("fieldsType", "FieldsV1");
        entry.set("fieldsV1", newSet);
        meta.set("managedFields", managed);
        return result;
    }

    private static ObjectNode previousFields(JsonNode live, String manager) {
        for (JsonNode e : live.path("metadata").path("managedFields")) {
            if (manager.equals(e.path("manager").asText()) && "Apply".equals(e.path("operation").asText())
                    && e.path("fieldsV1").isObject()) return (ObjectNode) e.get("fieldsV1");
        }
        return null;
    }

    private static JsonNode stripNulls(JsonNode n) {
        if (!n.isObject()) return n;
        ObjectNode out = ((ObjectNode) n).deepCopy();
        out.properties().removeIf(e -> e.getValue().isNull());
        return out;
    }

    /** FieldsV1 of an applied object: {"f:spec":{"f:x":{}}}, named list elements as k:{"name":...}. */
    static ObjectNode fieldSet(JsonNode node, boolean root) {
        ObjectNode set = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey();
            if (root && (k.equals("apiVersion") || k.equals("kind"))) continue;
            JsonNode v = e.getValue();
            if (root && k.equals("metadata")) {
                ObjectNode m = JsonNodeFactory.instance.objectNode();
                for (String sub : new String[] {"labels", "annotations", "finalizers"}) {
                    if (v.has(sub)) m.set("f:" + sub, v.get(sub).isObject() ? fieldSet(v.get(sub), false) : JsonNodeFactory.instance.objectNode());
                }
                if (!m.isEmpty()) set.set("f:metadata", m);
                continue;
            }
            if (v.isObject()) {
                set.set("f:" + k, fieldSet(v, false));
            } else if (v.isArray() && !v.isEmpty() && named(v)) {
                ObjectNode list = JsonNodeFactory.instance.objectNode();
                for (JsonNode el : v) list.set(keyOf(el), fieldSet(el, false));
                set.set("f:" + k, list);
            } else {
                set.set("f:" + k, JsonNodeFactory.instance.objectNode());
            }
        }
        return set;
    }

    private static boolean named(JsonNode arr) {
        for (JsonNode e : arr) if (!e.isObject() || !e.has("name")) return false;
        return true;
    }

    private static String keyOf(JsonNode el) {
        return "k:{\"name\":" + JsonNodeFactory.instance.textNode(el.path("name").asText()) + "}";
    }

    private static void removeDropped(JsonNode target, ObjectNode previous, ObjectNode now) {
        for (Iterator<Map.Entry<String, JsonNode>> it = previous.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey();
            JsonNode nowChild = now.get(k);
            if (k.startsWith("f:") && target.isObject()) {
                String field = k.substring(2);
                if (nowChild == null) ((ObjectNode) target).remove(field);
                else if (target.has(field) && e.getValue().isObject()) removeDropped(target.get(field), (ObjectNode) e.getValue(), (ObjectNode) nowChild);
            } else if (k.startsWith("k:") && target.isArray()) {
                String name = k.substring(k.indexOf(':', 2) + 1, k.length() - 1).replaceAll("^\"|\"$", "");
                for (int i = 0; i < target.size(); i++) {
                    if (!target.get(i).path("name").asText().equals(name)) continue;
                    if (nowChild == null) ((ArrayNode) target).remove(i);
                    else removeDropped(target.get(i), (ObjectNode) e.getValue(), (ObjectNode) nowChild);
                    break;
                }
            }
        }
    }
}
