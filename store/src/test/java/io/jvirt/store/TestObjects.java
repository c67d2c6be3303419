package io.jvirt.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Builders and readers of test object JSON. */
final class TestObjects {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestObjects() {}

    static ObjectKey vm(String namespace, String name) {
        return new ObjectKey("kubevirt.io", "virtualmachines", namespace, name);
    }

    static ObjectKey pod(String namespace, String name) {
        return new ObjectKey("", "pods", namespace, name);
    }

    /** {@code {"kind":..., "metadata":{"name":..., "uid":..., "annotations":{...}}}}. */
    static byte[] json(String name, Map<String, String> annotations) {
        ObjectNode object = MAPPER.createObjectNode();
        object.put("kind", "Test");
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", name);
        metadata.put("uid", "uid-" + name);
        ObjectNode notes = metadata.putObject("annotations");
        annotations.forEach(notes::put);
        return write(object);
    }

    static byte[] json(String name) {
        return json(name, Map.of());
    }

    static JsonNode tree(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resourceVersionIn(StoredObject object) {
        return tree(object.json()).path("metadata").path("resourceVersion").asText(null);
    }

    static String annotation(StoredObject object, String name) {
        return tree(object.json()).path("metadata").path("annotations").path(name).asText(null);
    }

    static byte[] withAnnotation(StoredObject object, String name, String value) {
        ObjectNode tree = (ObjectNode) tree(object.json());
        ((ObjectNode) tree.path("metadata").path("annotations")).put(name, value);
        return write(tree);
    }

    static byte[] write(JsonNode tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
