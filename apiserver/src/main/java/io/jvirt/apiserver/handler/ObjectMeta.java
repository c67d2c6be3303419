package io.jvirt.apiserver.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.validation.Names;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.Locale;
import java.util.Map;

/** ObjectMeta rules the server enforces on writes: names, system fields, immutability. Pure apart from uid/name randomness. */
final class ObjectMeta {
    /** kube-apiserver's limit on the annotations of one object: keys and values together ({@code TotalAnnotationSizeLimitB}). */
    static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;
    /** generateName is cut to this length before the 5 random characters ({@code maxGeneratedNameLength}). */
    static final int GENERATED_PREFIX_MAX = 63 - 5;
    private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ObjectMeta() {}

    /** A name from {@code generateName}: the prefix cut to 58 characters, then 5 random ones, as kube-apiserver does. */
    static String generateName(String prefix) {
        String base = prefix.length() > GENERATED_PREFIX_MAX ? prefix.substring(0, GENERATED_PREFIX_MAX) : prefix;
        return base + randomSuffix();
    }

    static String randomSuffix() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) sb.append(ALPHANUMS.charAt(RANDOM.nextInt(ALPHANUMS.length())));
        return sb.toString();
    }

    /** Sets uid, creationTimestamp, generation 1; clears server-owned fields a client may not set on create. */
    static void initialise(ObjectNode meta, Clock clock) {
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        meta.put("generation", 1);
        meta.remove("resourceVersion");
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.remove("selfLink");
    }

    /**
     * The object name rule kube-apiserver applies to {@code type}: a DNS-1123 label for Namespace, a DNS-1035 label for
     * Service, a path segment for the RBAC kinds, a DNS-1123 subdomain otherwise (custom resources too).
     */
    static Names.NameRule nameRule(ResourceType type) {
        if (type.group().equals("rbac.authorization.k8s.io")) return Names::pathSegmentName;
        if (!type.group().isEmpty()) return Names::subdomainName;
        return switch (type.kind()) {
            case "Namespace" -> Names::labelName;
            case "Service" -> Names::dns1035Name;
            default -> Names::subdomainName;
        };
    }

    /**
     * Refuses metadata whose fields have the wrong JSON types, as kube-apiserver's decoder does (400 BadRequest
     * {@code <Kind> in version "v1" cannot be handled as a <Kind>: json: cannot unmarshal ...}).
     *
     * @throws ApiException 400 on the first field of the wrong type
     */
    static void checkTypes(ResourceType type, JsonNode meta) {
        for (String field : new String[] {"name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
            JsonNode v = meta.get(field);
            if (v != null && !v.isNull() && !v.isTextual()) throw decodeError(type, v, "ObjectMeta.metadata." + field, "string");
        }
        for (String map : new String[] {"labels", "annotations"}) {
            JsonNode m = meta.get(map);
            if (m == null || m.isNull()) continue;
            if (!m.isObject()) throw decodeError(type, m, "ObjectMeta.metadata." + map, "map[string]string");
            for (Map.Entry<String, JsonNode> e : m.properties()) {
                if (!e.getValue().isTextual()) throw decodeError(type, e.getValue(), "ObjectMeta.metadata." + map, "string");
            }
        }
        JsonNode finalizers = meta.get("finalizers");
        if (finalizers != null && !finalizers.isNull()) {
            if (!finalizers.isArray()) throw decodeError(type, finalizers, "ObjectMeta.metadata.finalizers", "[]string");
            for (JsonNode f : finalizers) if (!f.isTextual()) throw decodeError(type, f, "ObjectMeta.metadata.finalizers", "string");
        }
        JsonNode owners = meta.get("ownerReferences");
        if (owners == null || owners.isNull()) return;
        if (!owners.isArray()) throw decodeError(type, owners, "ObjectMeta.metadata.ownerReferences", "[]v1.OwnerReference");
        for (JsonNode ref : owners) {
            if (!ref.isObject()) throw decodeError(type, ref, "ObjectMeta.metadata.ownerReferences", "v1.OwnerReference");
            for (String field : new String[] {"apiVersion", "kind", "name", "uid"}) {
                JsonNode v = ref.get(field);
                if (v != null && !v.isNull() && !v.isTextual()) throw decodeError(type, v, "OwnerReference.metadata.ownerReferences." + field, "string");
            }
            for (String field : new String[] {"controller", "blockOwnerDeletion"}) {
                JsonNode v = ref.get(field);
                if (v != null && !v.isNull() && !v.isBoolean()) throw decodeError(type, v, "OwnerReference.metadata.ownerReferences." + field, "bool");
            }
        }
    }

    /** kube-apiserver's 400 for a body its decoder cannot read into the kind's Go type. */
    static ApiException decodeError(ResourceType type, JsonNode value, String goField, String goType) {
        return ApiException.decodeError(type.kind(), type.version(), value, goField, goType);
    }

    /**
     * kube-apiserver's ObjectMeta validation ({@code ValidateObjectMetaAccessor}): generateName and name by the kind's
     * {@code names} rule, label keys and values, annotation keys and their total size (256 KiB), finalizer names
     * (qualified names; not both orphan and foregroundDeletion), ownerReferences (apiVersion with a version, kind, name
     * and uid set; at most one controller). Field paths and messages as kube-apiserver's. Types are checked before
     * ({@link #checkTypes}).
     */
    static List<Cause> validate(JsonNode meta, Names.NameRule names) {
        List<Cause> causes = new ArrayList<>();
        String generateName = meta.path("generateName").asText("");
        if (!generateName.isEmpty()) {
            names.check(generateName, true).forEach(m -> causes.add(invalid("metadata.generateName", generateName, m)));
        }
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            causes.add(new Cause("FieldValueRequired", "Required value: name or generateName is required", "metadata.name"));
        } else {
            names.check(name, false).forEach(m -> causes.add(invalid("metadata.name", name, m)));
        }
        for (Map.Entry<String, JsonNode> label : meta.path("labels").properties()) {
            Names.qualifiedName(label.getKey()).forEach(m -> causes.add(invalid("metadata.labels", label.getKey(), m)));
            Names.labelValue(label.getValue().asText()).forEach(m -> causes.add(invalid("metadata.labels", label.getValue().asText(), m)));
        }
        long annotationBytes = 0;
        for (Map.Entry<String, JsonNode> annotation : meta.path("annotations").properties()) {
            Names.qualifiedName(annotation.getKey().toLowerCase(Locale.ROOT)).forEach(m -> causes.add(invalid("metadata.annotations", annotation.getKey(), m)));
            annotationBytes += annotation.getKey().getBytes(StandardCharsets.UTF_8).length + annotation.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
        }
        if (annotationBytes > ANNOTATIONS_MAX_BYTES) {
            causes.add(new Cause("FieldValueTooLong", "Too long: may not be more than " + ANNOTATIONS_MAX_BYTES + " bytes", "metadata.annotations"));
        }
        finalizers(meta.path("finalizers"), causes);
        ownerReferences(meta.path("ownerReferences"), causes);
        return causes;
    }

    private static void finalizers(JsonNode finalizers, List<Cause> causes) {
        boolean orphan = false, foreground = false;
        for (JsonNode f : finalizers) {
            String finalizer = f.asText();
            Names.qualifiedName(finalizer).forEach(m -> causes.add(invalid("metadata.finalizers", finalizer, m)));
            orphan |= finalizer.equals("orphan");
            foreground |= finalizer.equals("foregroundDeletion");
        }
        if (orphan && foreground) {
            List<String> quoted = new ArrayList<>();
            finalizers.forEach(f -> quoted.add(Names.quote(f.asText())));
            causes.add(Cause.invalid("metadata.finalizers", "Invalid value: []string{" + String.join(", ", quoted)
                    + "}: finalizer orphan and foregroundDeletion cannot be both set"));
        }
    }

    private static void ownerReferences(JsonNode refs, List<Cause> causes) {
        String field = "metadata.ownerReferences";
        String firstController = null;
        for (JsonNode ref : refs) {
            String apiVersion = ref.path("apiVersion").asText("");
            String[] gv = apiVersion.split("/", -1);
            String version = gv.length == 1 ? gv[0] : gv.length == 2 ? gv[1] : "";
            if (version.isEmpty()) causes.add(invalid(field + ".apiVersion", apiVersion, "version must not be empty"));
            for (String required : new String[] {"kind", "name", "uid"}) {
                String value = ref.path(required).asText("");
                if (value.isEmpty()) causes.add(invalid(field + "." + required, value, required + " must not be empty"));
            }
            if (!ref.path("controller").asBoolean(false)) continue;
            String controller = ref.path("kind").asText("") + "/" + ref.path("name").asText("");
            if (firstController == null) {
                firstController = controller;
            } else {
                causes.add(Cause.invalid(field, "Invalid value: \"array\": Only one reference can have Controller set to true. Found \"true\" in references for "
                        + firstController + " and " + controller));
            }
        }
    }

    private static Cause invalid(String field, String value, String message) {
        return Cause.invalid(field, "Invalid value: " + Names.quote(value) + ": " + message);
    }

    /** Copies the fields a client may never change on update from {@code old} into {@code meta}. */
    static List<Cause> keepSystemFields(ObjectNode meta, JsonNode old) {
        List<Cause> causes = new ArrayList<>();
        for (String f : new String[] {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"}) {
            if (old.has(f)) meta.set(f, old.get(f));
            else meta.remove(f);
        }
        if (old.has("deletionTimestamp")) {
            List<String> added = new ArrayList<>();
            for (JsonNode f : meta.path("finalizers")) if (!contains(old.path("finalizers"), f.asText())) added.add(f.asText());
            if (!added.isEmpty()) {
                causes.add(new Cause("FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\""
                        + String.join("\", \"", added) + "\"}", "metadata.finalizers"));
            }
        }
        return causes;
    }

    static boolean contains(JsonNode arr, String value) {
        for (JsonNode n : arr) if (n.asText().equals(value)) return true;
        return false;
    }
}
