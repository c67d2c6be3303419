package io.jvirt.api.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shipped CRD schema is structural (the rules kube-apiserver enforces for apiextensions.k8s.io/v1):
 * every node has a type, or is int-or-string, or preserves unknown fields; no $ref; arrays have items;
 * properties and additionalProperties never together; root metadata is a bare object.
 */
class StructuralSchemaTest {

    private static final Set<String> TYPES = Set.of("object", "array", "string", "integer", "number", "boolean");
    private static final Set<String> ALLOWED_KEYS = Set.of("type", "format", "pattern", "enum", "nullable", "required",
            "properties", "items", "additionalProperties", "anyOf", "description",
            "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
            "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type");

    static List<String> crds() {
        return CrdFiles.names();
    }

    @ParameterizedTest
    @MethodSource("crds")
    void schemaIsStructural(String file) {
        JsonNode schema = CrdFiles.schema(CrdFiles.read(file));
        assertEquals("object", schema.path("type").asText(), file + ": root type");
        assertEquals(Map.of("type", "object"), toMap(schema.path("properties").path("metadata")), file + ": root metadata");
        List<String> violations = new ArrayList<>();
        check(schema, "", violations);
        assertEquals(List.of(), violations, file);
    }

    @ParameterizedTest
    @MethodSource("crds")
    void everyPrinterColumnPointsIntoTheSchema(String file) {
        JsonNode crd = CrdFiles.read(file);
        JsonNode schema = CrdFiles.schema(crd);
        for (JsonNode column : crd.path("spec").path("versions").path(0).path("additionalPrinterColumns")) {
            String path = column.path("jsonPath").asText();
            if (path.startsWith(".metadata.")) {
                continue;
            }
            JsonNode node = schema;
            for (String step : path.substring(1).replaceAll("\\[[^]]*]", "[]").split("\\.")) {
                String field = step.replace("[]", "");
                node = node.path("properties").path(field);
                if (step.contains("[")) {
                    assertEquals("array", node.path("type").asText(), file + " " + path + ": " + field + " is not a list");
                    node = node.path("items");
                }
                assertTrue(!node.isMissingNode(), file + ": column " + column.path("name").asText() + " path " + path + " not in schema");
            }
        }
    }

    private static void check(JsonNode node, String path, List<String> violations) {
        if (!node.isObject()) {
            violations.add(path + ": not a schema object");
            return;
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!ALLOWED_KEYS.contains(key)) {
                violations.add(path + ": unexpected keyword " + key);
            }
        }
        boolean intOrString = node.path("x-kubernetes-int-or-string").asBoolean(false);
        boolean preserve = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        String type = node.path("type").asText("");
        if (type.isEmpty() && !intOrString && !preserve) {
            violations.add(path + ": no type");
        }
        if (!type.isEmpty() && !TYPES.contains(type)) {
            violations.add(path + ": unknown type " + type);
        }
        if (intOrString && !type.isEmpty()) {
            violations.add(path + ": int-or-string with a type");
        }
        if (node.has("properties") && node.has("additionalProperties")) {
            violations.add(path + ": properties and additionalProperties");
        }
        if ((node.has("properties") || node.has("additionalProperties")) && !"object".equals(type)) {
            violations.add(path + ": properties on a non-object");
        }
        if ("array".equals(type) && !node.has("items")) {
            violations.add(path + ": array without items");
        }
        for (JsonNode required : node.path("required")) {
            if (!node.path("properties").has(required.asText())) {
                violations.add(path + ": required " + required.asText() + " is not a property");
            }
        }
        for (JsonNode key : node.path("x-kubernetes-list-map-keys")) {
            if (!setOf(node.path("items").path("required")).contains(key.asText())) {
                violations.add(path + ": list map key " + key.asText() + " is not required");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            check(property.getValue(), path + "." + property.getKey(), violations);
        }
        if (node.has("items")) {
            check(node.get("items"), path + "[]", violations);
        }
        if (node.path("additionalProperties").isObject()) {
            check(node.get("additionalProperties"), path + "{}", violations);
        }
        for (JsonNode alternative : node.path("anyOf")) {
            if (!alternative.has("type") || alternative.size() != 1) {
                violations.add(path + ": anyOf may only name types here");
            }
        }
    }

    private static Set<String> setOf(JsonNode array) {
        Set<String> values = new java.util.HashSet<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static Map<String, Object> toMap(JsonNode node) {
        return CrdFiles.YAML.convertValue(node, CrdFiles.YAML.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
    }
}
