package io.jvirt.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.Cause;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * kube-apiserver's validation of the core kinds jvirt serves, after the schema's type checks: the decode checks
 * its typed decoder makes (quantities, base64 byte fields; a failure is 400) and each kind's rules (422 causes with
 * kube-apiserver's field paths and messages). One visible table: kind → rules. Pure and thread-safe.
 */
public final class CoreValidation {
    /** A kind's rules: the new object, the stored one (null on create), the causes to add to. */
    @FunctionalInterface
    interface KindRule {
        void check(JsonNode object, JsonNode old, List<Cause> causes);
    }

    private static final Map<String, KindRule> RULES = Map.of(
            "Pod", (o, old, causes) -> PodRules.validate(o, causes),
            "Service", (o, old, causes) -> ServiceRules.validate(o, causes),
            "ConfigMap", ConfigDataRules::configMap,
            "Secret", ConfigDataRules::secret,
            "Node", (o, old, causes) -> node(o, causes),
            "PersistentVolumeClaim", (o, old, causes) -> claim(o, causes));

    static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");

    private CoreValidation() {}

    /**
     * What kube-apiserver's typed decoder refuses in a core object: a quantity that does not parse, byte fields that
     * are not base64.
     *
     * @return the decode error message (the caller answers 400), or null when the object decodes
     */
    public static String decodeError(String kind, JsonNode object) {
        List<JsonNode> quantityMaps = new ArrayList<>();
        switch (kind) {
            case "Pod" -> {
                for (String list : new String[] {"initContainers", "containers"}) {
                    for (JsonNode c : object.path("spec").path(list)) {
                        quantityMaps.add(c.path("resources").path("requests"));
                        quantityMaps.add(c.path("resources").path("limits"));
                    }
                }
            }
            case "Node" -> {
                quantityMaps.add(object.path("status").path("capacity"));
                quantityMaps.add(object.path("status").path("allocatable"));
            }
            case "PersistentVolumeClaim" -> {
                quantityMaps.add(object.path("spec").path("resources").path("requests"));
                quantityMaps.add(object.path("spec").path("resources").path("limits"));
            }
            case "PersistentVolume" -> quantityMaps.add(object.path("spec").path("capacity"));
            case "Secret" -> {
                return base64Error(object.path("data"));
            }
            case "ConfigMap" -> {
                return base64Error(object.path("binaryData"));
            }
            default -> { }
        }
        for (JsonNode map : quantityMaps) {
            for (JsonNode q : map) if (Quantities.value(q).isEmpty()) return Quantities.DECODE_ERROR;
        }
        return null;
    }

    private static String base64Error(JsonNode map) {
        for (JsonNode value : map) {
            String text = value.asText("");
            int bad = firstNonBase64(text);
            if (bad >= 0) return "illegal base64 data at input byte " + bad;
            try {
                Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                return "illegal base64 data at input byte " + Math.max(0, text.length() - 1);
            }
        }
        return null;
    }

    private static int firstNonBase64(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=';
            if (!ok) return i;
        }
        return -1;
    }

    /** The kind's rules ({@link #RULES}); {@code old} is null on create. */
    public static List<Cause> validate(String kind, JsonNode object, JsonNode old) {
        List<Cause> causes = new ArrayList<>();
        KindRule rule = RULES.get(kind);
        if (rule != null) rule.check(object, old, causes);
        return causes;
    }

    private static void node(JsonNode node, List<Cause> causes) {
        JsonNode taints = node.path("spec").path("taints");
        for (int i = 0; i < taints.size(); i++) {
            JsonNode taint = taints.get(i);
            String field = "spec.taints[" + i + "]";
            String key = taint.path("key").asText("");
            if (key.isEmpty()) causes.add(FieldErrors.required(field + ".key"));
            else Names.qualifiedName(key).forEach(m -> causes.add(FieldErrors.invalid(field + ".key", key, m)));
            String value = taint.path("value").asText("");
            Names.labelValue(value).forEach(m -> causes.add(FieldErrors.invalid(field + ".value", value, m)));
            JsonNode effect = taint.get("effect");
            if (effect == null || effect.asText("").isEmpty()) causes.add(FieldErrors.required(field + ".effect"));
            else if (!TAINT_EFFECTS.contains(effect.asText())) causes.add(FieldErrors.notSupported(field + ".effect", effect, TAINT_EFFECTS));
        }
    }

    private static void claim(JsonNode pvc, List<Cause> causes) {
        JsonNode spec = pvc.path("spec");
        JsonNode modes = spec.path("accessModes");
        if (modes.isEmpty()) causes.add(FieldErrors.required("spec.accessModes", "at least 1 access mode is required"));
        for (JsonNode mode : modes) {
            if (!ACCESS_MODES.contains(mode.asText())) causes.add(FieldErrors.notSupported("spec.accessModes", mode, ACCESS_MODES));
        }
        if (!spec.path("resources").path("requests").has("storage")) causes.add(FieldErrors.required("spec.resources[storage]"));
    }

}
