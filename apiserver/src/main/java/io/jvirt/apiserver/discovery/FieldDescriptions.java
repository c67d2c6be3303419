package io.jvirt.apiserver.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The field descriptions {@code kubectl explain} shows, read from the api module's
 * {@code io/jvirt/api/field-descriptions.yaml} (our own text; the generated CRD schemas carry none)
 * and written into a kind's schema: each dotted path walks {@code properties}, entering array
 * {@code items} on the way. Immutable after loading; thread-safe.
 */
public final class FieldDescriptions {
    static final String RESOURCE = "io/jvirt/api/field-descriptions.yaml";
    private static final FieldDescriptions BUNDLED = load();

    /** kind -> path -> text, with the shared VMI spec entries already placed under each kind. */
    private final Map<String, Map<String, String>> byKind;

    private FieldDescriptions(Map<String, Map<String, String>> byKind) {
        this.byKind = byKind;
    }

    /** The descriptions shipped with the api module. */
    public static FieldDescriptions bundled() {
        return BUNDLED;
    }

    private static FieldDescriptions load() {
        try (InputStream in = FieldDescriptions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) return new FieldDescriptions(Map.of());
            return parse(new YAMLMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FieldDescriptions parse(JsonNode doc) {
        Map<String, Map<String, String>> byKind = new LinkedHashMap<>();
        doc.path("kinds").fields().forEachRemaining(k -> {
            Map<String, String> paths = byKind.computeIfAbsent(k.getKey(), x -> new LinkedHashMap<>());
            k.getValue().fields().forEachRemaining(p -> paths.put(p.getKey(), p.getValue().asText()));
        });
        doc.path("vmiSpecAt").fields().forEachRemaining(at -> {
            Map<String, String> paths = byKind.computeIfAbsent(at.getKey(), x -> new LinkedHashMap<>());
            String prefix = at.getValue().asText();
            doc.path("vmiSpec").fields().forEachRemaining(p -> paths.putIfAbsent(prefix + "." + p.getKey(), p.getValue().asText()));
        });
        return new FieldDescriptions(byKind);
    }

    /**
     * Writes the descriptions of {@code kind} into {@code schema} (its root object schema, modified in
     * place) and returns the paths that name no field of it (empty when every entry found its field).
     */
    public List<String> apply(String kind, ObjectNode schema) {
        List<String> missing = new ArrayList<>();
        byKind.getOrDefault(kind, Map.of()).forEach((path, text) -> {
            ObjectNode field = find(schema, path);
            if (field == null) {
                missing.add(kind + ":" + path);
            } else {
                field.put("description", text);
            }
        });
        return missing;
    }

    /** The kinds that have descriptions. */
    public java.util.Set<String> kinds() {
        return byKind.keySet();
    }

    private static ObjectNode find(ObjectNode root, String path) {
        if (path.isEmpty()) return root;
        JsonNode node = root;
        for (String segment : path.split("\\.")) {
            if (!node.has("properties") && node.path("items").isObject()) node = node.get("items");
            JsonNode next = node.path("properties").path(segment);
            if (!next.isObject()) return null;
            node = next;
        }
        return (ObjectNode) node;
    }
}
