package io.jvirt.apiserver.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.resources.ResourceRegistry;
import io.jvirt.apiserver.resources.ResourceType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAPI v3 generated from the served schemas: the {@code /openapi/v3} index (with a content hash
 * per group version in {@code serverRelativeURL}) and one document per group version whose item paths
 * carry PATCH operations with {@code x-kubernetes-group-version-kind} and a {@code fieldValidation}
 * parameter (what kubectl checks before server-side validation) and whose {@code components.schemas}
 * hold each kind's schema with our {@link FieldDescriptions} (what {@code kubectl explain} reads). Cached per registry generation; thread-safe.
 */
public final class OpenApi {
    private final ResourceRegistry registry;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
    private volatile long cachedGeneration = -1;

    public OpenApi(ResourceRegistry registry) {
        this.registry = registry;
    }

    private void refresh() {
        long gen = registry.generation();
        if (gen != cachedGeneration) {
            cache.clear();
            cachedGeneration = gen;
        }
    }

    public ObjectNode index() {
        refresh();
        ObjectNode o = Codec.NODES.objectNode();
        ObjectNode paths = o.putObject("paths");
        registry.groups().forEach((g, versions) -> versions.keySet().forEach(v -> {
            String p = g.isEmpty() ? "api/" + v : "apis/" + g + "/" + v;
            byte[] doc = document(g, v).orElseThrow();
            paths.putObject(p).put("serverRelativeURL", "/openapi/v3/" + p + "?hash=" + hash(doc));
        }));
        return o;
    }

    /** The serialized document of one group version, if served. */
    public Optional<byte[]> document(String group, String version) {
        refresh();
        Map<String, List<ResourceType>> versions = registry.groups().get(group);
        if (versions == null || !versions.containsKey(version)) return Optional.empty();
        return Optional.of(cache.computeIfAbsent(group + "/" + version, k -> Codec.toJson(build(group, version, versions.get(version)))));
    }

    private static String hash(byte[] doc) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(doc)).substring(0, 64).toUpperCase();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String schemaName(ResourceType t) {
        if (t.group().isEmpty()) return "io.k8s.api.core." + t.version() + "." + t.kind();
        String[] parts = t.group().split("\\.");
        StringBuilder sb = new StringBuilder();
        for (int i = parts.length - 1; i >= 0; i--) sb.append(parts[i]).append('.');
        return sb + t.version() + "." + t.kind();
    }

    private static ObjectNode build(String group, String version, List<ResourceType> types) {
        ObjectNode doc = Codec.NODES.objectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.32.5-jvirt");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        schemas.set("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", objectMeta());
        String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        for (ResourceType t : types) {
            String name = schemaName(t);
            schemas.set(name, kindSchema(t));
            ObjectNode list = Codec.NODES.objectNode().put("type", "object").put("description", t.listKind() + " is a list of " + t.kind());
            ObjectNode lp = list.putObject("properties");
            lp.putObject("apiVersion").put("type", "string");
            lp.putObject("kind").put("type", "string");
            lp.putObject("items").put("type", "array").putObject("items").put("$ref", "#/components/schemas/" + name);
            list.putArray("x-kubernetes-group-version-kind").addObject().put("group", t.group()).put("version", t.version()).put("kind", t.listKind());
            schemas.set(name + "List", list);
            String base = prefix + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural();
            paths.set(base, collectionPath(t, name));
            paths.set(base + "/{name}", itemPath(t, name, null));
            if (t.statusSubresource()) paths.set(base + "/{name}/status", itemPath(t, name, "status"));
        }
        return doc;
    }

    private static ObjectNode kindSchema(ResourceType t) {
        ObjectNode s = t.schema() == null ? Codec.NODES.objectNode().put("type", "object") : ((ObjectNode) t.schema()).deepCopy();
        s.put("type", "object");
        FieldDescriptions.bundled().apply(t.kind(), s);
        ObjectNode props = s.withObjectProperty("properties");
        props.putObject("apiVersion").put("type", "string").put("description", "APIVersion defines the versioned schema of this representation of an object.");
        props.putObject("kind").put("type", "string").put("description", "Kind is a string value representing the REST resource this object represents.");
        props.putObject("metadata").putArray("allOf").addObject().put("$ref", "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        s.putArray("x-kubernetes-group-version-kind").addObject().put("group", t.group()).put("version", t.version()).put("kind", t.kind());
        return s;
    }

    private static ObjectNode objectMeta() {
        ObjectNode m = Codec.NODES.objectNode().put("type", "object")
                .put("description", "ObjectMeta is metadata that all persisted resources must have.");
        ObjectNode p = m.putObject("properties");
        for (String f : new String[] {"name", "namespace", "generateName", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp"}) {
            p.putObject(f).put("type", "string");
        }
        p.putObject("generation").put("type", "integer").put("format", "int64");
        p.putObject("deletionGracePeriodSeconds").put("type", "integer").put("format", "int64");
        for (String f : new String[] {"labels", "annotations"}) {
            p.putObject(f).put("type", "object").putObject("additionalProperties").put("type", "string");
        }
        p.putObject("finalizers").put("type", "array").putObject("items").put("type", "string");
        p.putObject("ownerReferences").put("type", "array").putObject("items").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        p.putObject("managedFields").put("type", "array").putObject("items").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        return m;
    }

    private static ObjectNode op(ResourceType t, String id, String schema, List<String> params) {
        ObjectNode o = Codec.NODES.objectNode();
        o.put("operationId", id);
        ArrayNode ps = o.putArray("parameters");
        for (String p : params) ps.addObject().put("name", p).put("in", "query").putObject("schema").put("type", "string").put("uniqueItems", true);
        ObjectNode ok = o.putObject("responses").putObject("200").put("description", "OK");
        ok.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + schema);
        o.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version()).put("kind", t.kind());
        return o;
    }

    private static ObjectNode collectionPath(ResourceType t, String schema) {
        ObjectNode p = Codec.NODES.objectNode();
        p.set("get", op(t, "list" + t.kind(), schema + "List", List.of("labelSelector", "fieldSelector", "limit", "continue", "watch", "resourceVersion")));
        p.set("post", op(t, "create" + t.kind(), schema, List.of("dryRun", "fieldManager", "fieldValidation")));
        p.set("delete", op(t, "deletecollection" + t.kind(), schema + "List", List.of("labelSelector", "fieldSelector", "dryRun")));
        return p;
    }

    private static ObjectNode itemPath(ResourceType t, String schema, String sub) {
        String suffix = sub == null ? "" : "Status";
        ObjectNode p = Codec.NODES.objectNode();
        p.set("get", op(t, "read" + t.kind() + suffix, schema, List.of()));
        p.set("put", op(t, "replace" + t.kind() + suffix, schema, List.of("dryRun", "fieldManager", "fieldValidation")));
        ObjectNode patch = op(t, "patch" + t.kind() + suffix, schema, List.of("dryRun", "fieldManager", "fieldValidation", "force"));
        ObjectNode body = patch.putObject("requestBody").putObject("content");
        for (String ct : List.of("application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml")) {
            body.putObject(ct).putObject("schema").put("type", "object");
        }
        if (t.builtin()) body.putObject("application/strategic-merge-patch+json").putObject("schema").put("type", "object");
        p.set("patch", patch);
        if (sub == null) p.set("delete", op(t, "delete" + t.kind(), schema, List.of("dryRun", "gracePeriodSeconds", "propagationPolicy")));
        return p;
    }

}
