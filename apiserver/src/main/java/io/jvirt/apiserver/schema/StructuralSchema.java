package io.jvirt.apiserver.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Cause;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Applies a CRD structural schema (OpenAPI v3 subset) to an object in place, the way the apiserver
 * does for custom resources: defaulting, pruning of fields the schema does not declare (except under
 * {@code x-kubernetes-preserve-unknown-fields}), then validation of type, required, enum, bounds and
 * patterns. {@code apiVersion}, {@code kind} and {@code metadata} at the root (and in embedded
 * resources) are never pruned. Stateless and thread-safe.
 */
public final class StructuralSchema {
    private StructuralSchema() {}

    /** Defaults, prunes and validates {@code object} against {@code schema} (null schema = accept all). */
    public static SchemaOutcome apply(JsonNode schema, ObjectNode object) {
        List<Cause> errors = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        if (schema != null && !schema.isMissingNode()) walk(schema, object, "", errors, unknown, true);
        return new SchemaOutcome(errors, unknown);
    }

    private static void walk(JsonNode s, JsonNode node, String path, List<Cause> errors, List<String> unknown, boolean root) {
        if (node == null || node.isNull()) {
            if (!s.path("nullable").asBoolean(false) && node != null && s.has("type")) {
                errors.add(typeError(path, node, s.path("type").asText()));
            }
            return;
        }
        if (s.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!(node.isIntegralNumber() || node.isTextual())) errors.add(typeError(path, node, "integer or string"));
            else scalarChecks(s, node, path, errors);
            return;
        }
        String type = s.path("type").asText("");
        if (!type.isEmpty() && !typeMatches(type, node)) {
            errors.add(typeError(path, node, type));
            return;
        }
        if (s.has("enum") && !contains(s.get("enum"), node)) {
            List<String> allowed = new ArrayList<>();
            s.get("enum").forEach(e -> allowed.add(e.toString()));
            errors.add(new Cause("FieldValueNotSupported", "Unsupported value: " + node + ": supported values: "
                    + String.join(", ", allowed), display(path)));
        }
        if (node.isObject()) walkObject(s, (ObjectNode) node, path, errors, unknown, root);
        else if (node.isArray()) walkArray(s, (ArrayNode) node, path, errors, unknown);
        else scalarChecks(s, node, path, errors);
    }

    private static void walkObject(JsonNode s, ObjectNode obj, String path, List<Cause> errors, List<String> unknown,
                                   boolean root) {
        JsonNode props = s.path("properties");
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        boolean embedded = root || s.path("x-kubernetes-embedded-resource").asBoolean(false);
        JsonNode additional = s.get("additionalProperties");
        for (Iterator<Map.Entry<String, JsonNode>> it = props.properties().iterator(); it.hasNext(); ) {
            var p = it.next();
            if (!obj.has(p.getKey()) && p.getValue().has("default")) obj.set(p.getKey(), p.getValue().get("default").deepCopy());
        }
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            String child = path.isEmpty() ? name : path + "." + name;
            JsonNode value = obj.get(name);
            if (props.has(name)) {
                if (embedded && name.equals("metadata")) continue;
                walk(props.get(name), value, child, errors, unknown, false);
            } else if (additional != null && additional.isObject()) {
                walk(additional, value, child, errors, unknown, false);
            } else if (embedded && (name.equals("apiVersion") || name.equals("kind") || name.equals("metadata"))) {
                // ObjectMeta and type fields are handled by the server, not the schema
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                unknown.add(child);
                obj.remove(name);
            }
        }
        for (JsonNode r : s.path("required")) {
            if (!obj.has(r.asText())) errors.add(Cause.required(display(path.isEmpty() ? r.asText() : path + "." + r.asText())));
        }
        if (s.has("maxProperties") && obj.size() > s.get("maxProperties").asInt()) {
            errors.add(Cause.invalid(display(path), "Too many: " + obj.size() + ": must have at most " + s.get("maxProperties").asInt() + " items"));
        }
    }

    private static void walkArray(JsonNode s, ArrayNode arr, String path, List<Cause> errors, List<String> unknown) {
        JsonNode items = s.get("items");
        if (s.has("maxItems") && arr.size() > s.get("maxItems").asInt()) {
            errors.add(new Cause("FieldValueTooMany", "Too many: " + arr.size() + ": must have at most "
                    + s.get("maxItems").asInt() + " items", display(path)));
        }
        if (s.has("minItems") && arr.size() < s.get("minItems").asInt()) {
            errors.add(Cause.invalid(display(path), "Invalid value: " + arr.size() + ": " + display(path)
                    + " in body should have at least " + s.get("minItems").asInt() + " items"));
        }
        if (items == null || !items.isObject()) return;
        for (int i = 0; i < arr.size(); i++) walk(items, arr.get(i), path + "[" + i + "]", errors, unknown, false);
    }

    private static void scalarChecks(JsonNode s, JsonNode node, String path, List<Cause> errors) {
        if (node.isNumber()) {
            if (s.has("minimum") && node.asDouble() < s.get("minimum").asDouble()) {
                errors.add(Cause.invalid(display(path), "Invalid value: " + node + ": " + display(path)
                        + " in body should be greater than or equal to " + s.get("minimum")));
            }
            if (s.has("maximum") && node.asDouble() > s.get("maximum").asDouble()) {
                errors.add(Cause.invalid(display(path), "Invalid value: " + node + ": " + display(path)
                        + " in body should be less than or equal to " + s.get("maximum")));
            }
        }
        if (node.isTextual()) {
            String v = node.asText();
            if (s.has("maxLength") && v.length() > s.get("maxLength").asInt()) {
                errors.add(new Cause("FieldValueTooLong", "Too long: may not be longer than " + s.get("maxLength").asInt(), display(path)));
            }
            if (s.has("pattern")) {
                try {
                    if (!java.util.regex.Pattern.compile(s.get("pattern").asText()).matcher(v).find()) {
                        errors.add(Cause.invalid(display(path), "Invalid value: \"" + v + "\": " + display(path)
                                + " in body should match '" + s.get("pattern").asText() + "'"));
                    }
                } catch (java.util.regex.PatternSyntaxException ignored) {
                    // a pattern Java cannot compile is not enforced
                }
            }
        }
    }

    private static boolean typeMatches(String type, JsonNode node) {
        return switch (type) {
            case "object" -> node.isObject();
            case "array" -> node.isArray();
            case "string" -> node.isTextual();
            case "integer" -> node.isNumber() && fitsInLong(node);
            case "number" -> node.isNumber();
            case "boolean" -> node.isBoolean();
            default -> true;
        };
    }

    /** An integer value (written with or without a fraction of zero) within int64, as the Go types behind every schema hold it. */
    private static boolean fitsInLong(JsonNode node) {
        if (node.isIntegralNumber()) return node.canConvertToLong();
        double d = node.asDouble();
        return d == Math.rint(d) && d >= Long.MIN_VALUE && d <= Long.MAX_VALUE;
    }

    private static boolean contains(JsonNode arr, JsonNode v) {
        for (JsonNode e : arr) if (e.equals(v)) return true;
        return false;
    }

    private static Cause typeError(String path, JsonNode node, String type) {
        String p = display(path);
        String shown = node.isTextual() ? "\"" + node.asText() + "\"" : node.isObject() ? "\"object\"" : node.isArray() ? "\"array\"" : "\"" + node.asText() + "\"";
        String actual = node.isTextual() ? "string" : node.isBoolean() ? "boolean" : node.isIntegralNumber() ? "integer"
                : node.isNumber() ? "number" : node.isObject() ? "object" : node.isArray() ? "array" : "null";
        return new Cause("FieldValueTypeInvalid", "Invalid value: \"" + actual + "\": " + p + " in body must be of type "
                + type + ": " + shown, p);
    }

    private static String display(String path) {
        return path.isEmpty() ? "<root>" : path;
    }
}
