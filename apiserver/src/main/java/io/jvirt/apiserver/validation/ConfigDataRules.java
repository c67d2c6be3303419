package io.jvirt.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.Cause;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * kube-apiserver's ConfigMap and Secret rules: keys valid config keys, a key not in both {@code data} and
 * {@code binaryData}, at most 1 MiB of data, the keys each Secret type requires, and on update: a Secret's type
 * never changes, an immutable object's data never changes and it stays immutable. Base64 of the byte fields is
 * checked before, at decode (400). Pure.
 */
final class ConfigDataRules {
    /** kube-apiserver's {@code MaxSecretSize}, also the ConfigMap limit. */
    static final int MAX_BYTES = 1024 * 1024;
    private static final String IMMUTABLE = "field is immutable when `immutable` is set";

    private ConfigDataRules() {}

    static void configMap(JsonNode cm, JsonNode old, List<Cause> causes) {
        long size = keys(cm.path("data"), "data", causes, false) + keys(cm.path("binaryData"), "binaryData", causes, true);
        for (Map.Entry<String, JsonNode> e : cm.path("data").properties()) {
            if (cm.path("binaryData").has(e.getKey())) {
                causes.add(FieldErrors.invalid("data[" + e.getKey() + "]", e.getKey(), "duplicate of key present in binaryData"));
            }
        }
        if (size > MAX_BYTES) causes.add(FieldErrors.tooLong("", MAX_BYTES));
        immutable(cm, old, List.of("data", "binaryData"), causes);
    }

    static void secret(JsonNode secret, JsonNode old, List<Cause> causes) {
        long size = keys(secret.path("data"), "data", causes, true);
        if (size > MAX_BYTES) causes.add(FieldErrors.tooLong("data", MAX_BYTES));
        JsonNode data = secret.path("data");
        switch (secret.path("type").asText("Opaque")) {
            case "kubernetes.io/service-account-token" -> {
                if (secret.path("metadata").path("annotations").path("kubernetes.io/service-account.name").asText("").isEmpty()) {
                    causes.add(FieldErrors.required("metadata.annotations[kubernetes.io/service-account.name]"));
                }
            }
            case "kubernetes.io/dockercfg" -> requiredKeys(data, causes, ".dockercfg");
            case "kubernetes.io/dockerconfigjson" -> requiredKeys(data, causes, ".dockerconfigjson");
            case "kubernetes.io/ssh-auth" -> requiredKeys(data, causes, "ssh-privatekey");
            case "kubernetes.io/tls" -> requiredKeys(data, causes, "tls.crt", "tls.key");
            case "kubernetes.io/basic-auth" -> {
                if (!data.has("username") && !data.has("password")) causes.add(FieldErrors.required("data[username]"));
            }
            default -> { }
        }
        if (old != null && !old.path("type").asText("Opaque").equals(secret.path("type").asText("Opaque"))) {
            causes.add(FieldErrors.invalid("type", secret.path("type").asText(), "field is immutable"));
        }
        immutable(secret, old, List.of("data"), causes);
    }

    /** Validates the keys of one data map; returns its size in bytes (decoded for base64 maps). */
    private static long keys(JsonNode map, String field, List<Cause> causes, boolean base64) {
        long size = 0;
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            Names.configKey(e.getKey()).forEach(m -> causes.add(FieldErrors.invalid(field + "[" + e.getKey() + "]", e.getKey(), m)));
            String value = e.getValue().asText("");
            size += base64 ? decodedLength(value) : value.getBytes(StandardCharsets.UTF_8).length;
        }
        return size;
    }

    private static long decodedLength(String base64) {
        try {
            return Base64.getDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            return base64.length();
        }
    }

    private static void requiredKeys(JsonNode data, List<Cause> causes, String... keys) {
        for (String key : keys) if (!data.has(key)) causes.add(FieldErrors.required("data[" + key + "]"));
    }

    private static void immutable(JsonNode object, JsonNode old, List<String> fields, List<Cause> causes) {
        if (old == null || !old.path("immutable").asBoolean(false)) return;
        for (String field : fields) {
            if (!old.path(field).equals(object.path(field))) causes.add(FieldErrors.forbidden(field, IMMUTABLE));
        }
        if (!object.path("immutable").asBoolean(false)) causes.add(FieldErrors.forbidden("immutable", IMMUTABLE));
    }
}
