package io.jvirt.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns swagger 2.0 definitions into a structural OpenAPI v3 schema as CRDs require: every {@code $ref}
 * inlined, every node typed, no descriptions or defaults.
 *
 * <ul>
 *   <li>Quantity and IntOrString (and any node typed by a list of types) become
 *       {@code x-kubernetes-int-or-string: true} with {@code anyOf: [integer, string]}; a Quantity also gets the
 *       quantity {@code pattern} Kubernetes' CRD generator writes.</li>
 *   <li>Free-form values (RawExtension, FieldsV1) and reference cycles become objects with
 *       {@code x-kubernetes-preserve-unknown-fields: true}; so does an ObjectMeta below the root
 *       (template metadata), as the API server validates metadata itself.</li>
 *   <li>Kept: type, format, enum, nullable, required, and the {@code x-kubernetes-list-type},
 *       {@code -list-map-keys} and {@code -map-type} markers. Dropped: description, default (KubeVirt
 *       defaults through admission, not schema defaults), {@code x-kubernetes-patch-*}.</li>
 * </ul>
 * Not thread-safe; one instance per generation run.
 */
final class SchemaConverter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String REF_PREFIX = "#/definitions/";
    private static final String OBJECT_META = "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    private static final String QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
    /** The pattern Kubernetes' CRD generator puts on every resource.Quantity: kube-apiserver refuses other strings (422). */
    static final String QUANTITY_PATTERN =
            "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
    private static final Set<String> INT_OR_STRING = Set.of(
            "k8s.io.apimachinery.pkg.api.resource.Quantity", "k8s.io.apimachinery.pkg.util.intstr.IntOrString");
    private static final Set<String> FREE_FORM = Set.of(
            "k8s.io.apimachinery.pkg.runtime.RawExtension", "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1");
    private static final List<String> KEPT_MARKERS = List.of(
            "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type");

    private final JsonNode definitions;
    private final Deque<String> resolving = new ArrayDeque<>();

    SchemaConverter(JsonNode swagger) {
        this.definitions = swagger.path("definitions");
        if (!definitions.isObject() || definitions.isEmpty()) {
            throw new IllegalArgumentException("swagger document has no definitions");
        }
    }

    /** The structural schema of the definition {@code name} as the root of a CRD version. */
    ObjectNode root(String name) {
        ObjectNode schema = definition(name);
        ObjectNode properties = (ObjectNode) schema.path("properties");
        if (properties.has("metadata")) {
            properties.set("metadata", NODES.objectNode().put("type", "object"));
        }
        return schema;
    }

    /** The structural schema of the definition {@code name}, wherever it is used. */
    ObjectNode definition(String name) {
        if (OBJECT_META.equals(name)) {
            return preserveUnknownObject();
        }
        if (QUANTITY.equals(name)) {
            return intOrString().put("pattern", QUANTITY_PATTERN);
        }
        if (INT_OR_STRING.contains(name)) {
            return intOrString();
        }
        if (FREE_FORM.contains(name)) {
            return preserveUnknownObject();
        }
        if (resolving.contains(name)) {
            return preserveUnknownObject();
        }
        JsonNode swaggerSchema = definitions.get(name);
        if (swaggerSchema == null) {
            throw new IllegalArgumentException("swagger has no definition " + name);
        }
        resolving.push(name);
        try {
            return convert(swaggerSchema);
        } finally {
            resolving.pop();
        }
    }

    private ObjectNode convert(JsonNode swagger) {
        if (swagger.has("$ref")) {
            String ref = swagger.get("$ref").asText();
            if (!ref.startsWith(REF_PREFIX)) {
                throw new IllegalArgumentException("unsupported $ref " + ref);
            }
            ObjectNode resolved = definition(ref.substring(REF_PREFIX.length()));
            if (swagger.path("nullable").asBoolean(false)) {
                resolved.put("nullable", true);
            }
            return resolved;
        }
        JsonNode type = swagger.get("type");
        if (type != null && type.isArray() || "int-or-string".equals(swagger.path("format").asText())) {
            return intOrString();
        }
        ObjectNode out = NODES.objectNode();
        String typeName = type != null ? type.asText() : swagger.has("properties") ? "object" : null;
        if (typeName == null) {
            return preserveUnknownObject();
        }
        out.put("type", typeName);
        copyIfPresent(swagger, out, "format");
        copyIfPresent(swagger, out, "enum");
        if (swagger.path("nullable").asBoolean(false)) {
            out.put("nullable", true);
        }
        switch (typeName) {
            case "object" -> convertObject(swagger, out);
            case "array" -> out.set("items", swagger.has("items") ? convert(swagger.get("items")) : preserveUnknownObject());
            default -> { }
        }
        for (String marker : KEPT_MARKERS) {
            copyIfPresent(swagger, out, marker);
        }
        return out;
    }

    private void convertObject(JsonNode swagger, ObjectNode out) {
        JsonNode properties = swagger.get("properties");
        if (properties != null && properties.isObject()) {
            List<String> names = new ArrayList<>();
            properties.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode converted = out.putObject("properties");
            for (String name : names) {
                converted.set(name, convert(properties.get(name)));
            }
            copyIfPresent(swagger, out, "required");
            return;
        }
        JsonNode additional = swagger.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            out.set("additionalProperties", convert(additional));
        } else if (additional != null && additional.asBoolean(false)) {
            out.put("x-kubernetes-preserve-unknown-fields", true);
        }
        // else: an empty Go struct (a marker like `masquerade: {}`): an object without fields.
    }

    private static void copyIfPresent(JsonNode from, ObjectNode to, String field) {
        JsonNode value = from.get(field);
        if (value != null) {
            to.set(field, value.deepCopy());
        }
    }

    private static ObjectNode intOrString() {
        ObjectNode out = NODES.objectNode();
        ArrayNode anyOf = out.putArray("anyOf");
        anyOf.addObject().put("type", "integer");
        anyOf.addObject().put("type", "string");
        out.put("x-kubernetes-int-or-string", true);
        return out;
    }

    private static ObjectNode preserveUnknownObject() {
        return NODES.objectNode().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    }

    /** A schema built by hand from {@code fields}: property name to schema. */
    static ObjectNode object(Map<String, ObjectNode> fields) {
        ObjectNode out = NODES.objectNode().put("type", "object");
        ObjectNode properties = out.putObject("properties");
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> properties.set(e.getKey(), e.getValue()));
        return out;
    }

    static ObjectNode scalar(String type) {
        return NODES.objectNode().put("type", type);
    }
}
