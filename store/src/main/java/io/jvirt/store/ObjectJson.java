package io.jvirt.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The only places the store looks into object JSON: stamping {@code metadata.resourceVersion}, reading the uid. Thread-safe. */
final class ObjectJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ObjectJson() {}

    /** Parses {@code json}; throws {@link IllegalArgumentException} unless it is a JSON object whose metadata (if any) is an object. */
    static ObjectNode parse(byte[] json) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("object is not valid JSON: " + e.getMessage(), e);
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new IllegalArgumentException("object must be a JSON object");
        }
        JsonNode metadata = object.get("metadata");
        if (metadata != null && !metadata.isObject()) {
            throw new IllegalArgumentException("metadata must be a JSON object");
        }
        return object;
    }

    /** {@code object} serialized with {@code metadata.resourceVersion} set to {@code resourceVersion}. */
    static byte[] stamped(ObjectNode object, long resourceVersion) {
        ObjectNode metadata = object.get("metadata") instanceof ObjectNode existing ? existing : object.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(resourceVersion));
        try {
            return MAPPER.writeValueAsBytes(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a parsed JSON tree", e);
        }
    }

    /** {@code metadata.uid} of stored JSON, or {@code null}. */
    static String uid(byte[] json) {
        JsonNode uid = parse(json).path("metadata").path("uid");
        return uid.isTextual() ? uid.asText() : null;
    }
}
