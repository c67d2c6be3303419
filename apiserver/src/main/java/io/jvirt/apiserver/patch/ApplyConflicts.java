package io.jvirt.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Server-side apply conflicts: a field the applier sets to a value different from the live one while
 * another manager owns it (in that manager's FieldsV1). Without force they fail the apply with a 409
 * Conflict in kube-apiserver's words ({@code Apply failed with 1 conflict: conflict with "mgr1": .spec.x},
 * one cause of type FieldManagerConflict per field); with force the fields leave the other managers'
 * sets. Setting a field to the value it already has shares its ownership instead. Pure.
 */
final class ApplyConflicts {
    /** One conflicting field: the manager that owns it and the FieldsV1 keys leading to it. */
    record Conflict(String manager, List<String> keys) {
        /** The field in kube-apiserver's notation: {@code .spec.disks[name="a"].bus}. */
        String path() {
            StringBuilder sb = new StringBuilder();
            for (String k : keys) {
                if (k.startsWith("f:")) sb.append('.').append(k.substring(2));
                else if (k.startsWith("k:")) sb.append(keyedElement(k.substring(2)));
                else sb.append('[').append(k).append(']');
            }
            return sb.toString();
        }
    }

    private ApplyConflicts() {}

    /** The conflicts of applying {@code applied} (owning {@code newSet}) by {@code manager} onto {@code live}. */
    static List<Conflict> find(ObjectNode live, ObjectNode applied, ObjectNode newSet, String manager) {
        List<List<String>> leaves = new ArrayList<>();
        leaves(newSet, new ArrayList<>(), leaves);
        List<Conflict> out = new ArrayList<>();
        for (JsonNode e : live.path("metadata").path("managedFields")) {
            String other = e.path("manager").asText();
            if (other.equals(manager) || !e.path("fieldsV1").isObject()) continue;
            for (List<String> leaf : leaves) {
                if (!owns(e.get("fieldsV1"), leaf)) continue;
                JsonNode liveValue = valueAt(live, leaf);
                if (liveValue == null || !sameValue(liveValue, valueAt(applied, leaf))) out.add(new Conflict(other, leaf));
            }
        }
        return out;
    }

    /** The 409 for {@code conflicts} (not empty). */
    static ApiException error(List<Conflict> conflicts) {
        List<Cause> causes = conflicts.stream()
                .map(c -> new Cause("FieldManagerConflict", "conflict with \"" + c.manager() + "\"", c.path())).toList();
        String message;
        if (conflicts.size() == 1) {
            Conflict c = conflicts.get(0);
            message = "Apply failed with 1 conflict: conflict with \"" + c.manager() + "\": " + c.path();
        } else {
            Map<String, List<String>> byManager = new TreeMap<>();
            for (Conflict c : conflicts) byManager.computeIfAbsent(c.manager(), m -> new ArrayList<>()).add(c.path());
            List<String> lines = new ArrayList<>();
            byManager.forEach((m, paths) -> {
                lines.add("conflicts with \"" + m + "\":");
                paths.forEach(p -> lines.add("- " + p));
            });
            message = "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
        }
        return new ApiException(409, "Conflict", message, null, null, null, causes);
    }

    /** Removes each conflicting field from its manager's FieldsV1 in {@code managedFields} entries (in place). */
    static void takeOver(Iterable<JsonNode> managedFields, List<Conflict> conflicts) {
        for (JsonNode e : managedFields) {
            if (!e.path("fieldsV1").isObject()) continue;
            for (Conflict c : conflicts) {
                if (c.manager().equals(e.path("manager").asText())) remove((ObjectNode) e.get("fieldsV1"), c.keys(), 0);
            }
        }
    }

    private static void remove(ObjectNode set, List<String> keys, int i) {
        JsonNode child = set.get(keys.get(i));
        if (child == null) return;
        if (i == keys.size() - 1) {
            set.remove(keys.get(i));
            return;
        }
        if (child.isObject()) {
            remove((ObjectNode) child, keys, i + 1);
            if (child.isEmpty()) set.remove(keys.get(i));
        }
    }

    private static void leaves(JsonNode set, List<String> prefix, List<List<String>> out) {
        if (set.isEmpty()) {
            if (!prefix.isEmpty()) out.add(List.copyOf(prefix));
            return;
        }
        set.properties().forEach(e -> {
            if (e.getKey().equals(".")) return;
            prefix.add(e.getKey());
            leaves(e.getValue(), prefix, out);
            prefix.remove(prefix.size() - 1);
        });
    }

    private static boolean owns(JsonNode set, List<String> leaf) {
        JsonNode n = set;
        for (String k : leaf) {
            n = n.get(k);
            if (n == null) return false;
        }
        return true;
    }

    /** The value at a FieldsV1 path in an object, or null when absent. */
    private static JsonNode valueAt(JsonNode root, List<String> keys) {
        JsonNode n = root;
        for (String k : keys) {
            if (n == null) return null;
            if (k.startsWith("f:")) {
                n = n.get(k.substring(2));
            } else if (k.startsWith("k:")) {
                JsonNode key = parseKey(k.substring(2));
                JsonNode found = null;
                if (n.isArray()) for (JsonNode el : n) if (matches(el, key)) found = el;
                n = found;
            } else {
                return null;
            }
        }
        return n;
    }

    private static boolean matches(JsonNode element, JsonNode key) {
        if (key == null || !key.isObject()) return false;
        for (var it = key.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!sameValue(element.get(e.getKey()), e.getValue())) return false;
        }
        return true;
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a == null || b == null) return a == b;
        if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue()) == 0;
        return a.equals(b);
    }

    private static JsonNode parseKey(String json) {
        try {
            return io.jvirt.apiserver.http.Codec.parseJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String keyedElement(String json) {
        JsonNode key = parseKey(json);
        if (key == null || !key.isObject()) return "[" + json + "]";
        List<String> parts = new ArrayList<>();
        key.properties().forEach(e -> parts.add(e.getKey() + "=" + e.getValue().toString()));
        return "[" + String.join(",", parts) + "]";
    }
}
