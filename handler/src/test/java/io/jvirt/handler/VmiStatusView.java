package io.jvirt.handler;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/** Reads a VMI's status the way the tests assert on it (an absent VMI or status reads as empty). */
public final class VmiStatusView {
    private VmiStatusView() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> status(GenericKubernetesResource vmi) {
        Object s = vmi == null ? null : vmi.getAdditionalProperties().get("status");
        return s == null ? Map.of() : (Map<String, Object>) s;
    }

    /** The status of the condition of {@code type}, or null when there is none. */
    @SuppressWarnings("unchecked")
    public static String condition(GenericKubernetesResource vmi, String type) {
        List<Map<String, Object>> conditions = (List<Map<String, Object>>) status(vmi).getOrDefault("conditions", List.of());
        return conditions.stream().filter(c -> type.equals(c.get("type"))).map(c -> String.valueOf(c.get("status"))).findFirst().orElse(null);
    }
}
