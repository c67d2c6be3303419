package io.jvirt.api.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.jvirt.api.ExampleDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every field of every example manifest of a shipped kind is declared by the CRD schema with a matching
 * type, so the API server neither prunes nor rejects it (the examples must round-trip): the project's own
 * examples, and (conformance run) KubeVirt's.
 */
class ExampleFieldsTest {

    static List<Path> ourExamples() {
        return ExampleDirs.yamlFiles(ExampleDirs.ours());
    }

    static List<Path> kubevirtExamples() {
        return ExampleDirs.yamlFiles(ExampleDirs.kubevirts());
    }

    private static Map<String, JsonNode> schemasByApiVersionKind() {
        Map<String, JsonNode> schemas = new HashMap<>();
        for (CrdKind kind : CrdGenerator.KINDS) {
            schemas.put(kind.group() + "/" + kind.version() + " " + kind.kind(), CrdFiles.schema(CrdFiles.read(kind.fileName())));
        }
        return schemas;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ourExamples")
    void everyFieldIsDeclared(Path example) throws IOException {
        assertDeclared(example);
    }

    @Tag(ExampleDirs.CONFORMANCE)
    @ParameterizedTest(name = "{0}")
    @MethodSource("kubevirtExamples")
    void everyFieldOfKubevirtsExamplesIsDeclared(Path example) throws IOException {
        assertDeclared(example);
    }

    private static void assertDeclared(Path example) throws IOException {
        Map<String, JsonNode> schemas = schemasByApiVersionKind();
        List<String> problems = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = CrdFiles.YAML.readerFor(JsonNode.class).readValues(example.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                JsonNode schema = schemas.get(doc.path("apiVersion").asText() + " " + doc.path("kind").asText());
                if (schema != null) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) doc).remove("metadata"); // validated by the API server, not the schema
                    check(doc, schema, doc.path("kind").asText(), problems);
                }
            }
        }
        assertEquals(List.of(), problems, example.getFileName().toString());
    }

    @Test
    void theExamplesIncludeEveryShippedKubevirtKindButKubeVirt() throws IOException {
        assertEveryKind(ourExamples());
    }

    @Tag(ExampleDirs.CONFORMANCE)
    @Test
    void kubevirtsExamplesIncludeEveryShippedKubevirtKindButKubeVirt() throws IOException {
        assertEveryKind(kubevirtExamples());
    }

    private static void assertEveryKind(List<Path> examples) throws IOException {
        List<String> kinds = new ArrayList<>();
        for (Path example : examples) {
            try (MappingIterator<JsonNode> docs = CrdFiles.YAML.readerFor(JsonNode.class).readValues(example.toFile())) {
                while (docs.hasNext()) {
                    kinds.add(docs.next().path("kind").asText());
                }
            }
        }
        for (String kind : List.of("VirtualMachine", "VirtualMachineInstance", "VirtualMachineInstanceReplicaSet")) {
            assertTrue(kinds.contains(kind), "no example of " + kind + ": the field check would be empty");
        }
    }

    private static void check(JsonNode value, JsonNode schema, String path, List<String> problems) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                problems.add(path + ": expected int or string, got " + value.getNodeType());
            }
            return;
        }
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                problems.add(path + ": null but not nullable");
            }
            return;
        }
        String type = schema.path("type").asText();
        switch (type) {
            case "object" -> checkObject(value, schema, path, problems);
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(path + ": expected array, got " + value.getNodeType());
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), path + "[" + i + "]", problems);
                }
            }
            case "string" -> expect(value.isTextual(), path, type, value, problems);
            case "integer" -> expect(value.isIntegralNumber(), path, type, value, problems);
            case "number" -> expect(value.isNumber(), path, type, value, problems);
            case "boolean" -> expect(value.isBoolean(), path, type, value, problems);
            default -> problems.add(path + ": schema has no type");
        }
    }

    private static void checkObject(JsonNode value, JsonNode schema, String path, List<String> problems) {
        if (!value.isObject()) {
            problems.add(path + ": expected object, got " + value.getNodeType());
            return;
        }
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) && !schema.has("properties")) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode fieldSchema = schema.path("properties").get(field.getKey());
            if (fieldSchema == null && schema.path("additionalProperties").isObject()) {
                fieldSchema = schema.get("additionalProperties");
            }
            if (fieldSchema == null) {
                problems.add(path + "." + field.getKey() + ": not in the schema");
                continue;
            }
            check(field.getValue(), fieldSchema, path + "." + field.getKey(), problems);
        }
    }

    private static void expect(boolean ok, String path, String type, JsonNode value, List<String> problems) {
        if (!ok) {
            problems.add(path + ": expected " + type + ", got " + value.getNodeType() + " " + value);
        }
    }
}
