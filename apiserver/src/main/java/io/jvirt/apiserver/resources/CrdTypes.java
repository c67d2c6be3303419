package io.jvirt.apiserver.resources;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reads the served {@link ResourceType}s out of an apiextensions.k8s.io/v1 CustomResourceDefinition. Pure. */
final class CrdTypes {
    private CrdTypes() {}

    static List<ResourceType> of(JsonNode crd) {
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        String group = spec.path("group").asText();
        String kind = names.path("kind").asText();
        String plural = names.path("plural").asText();
        String singular = names.path("singular").asText(kind.toLowerCase());
        boolean namespaced = !"Cluster".equals(spec.path("scope").asText());
        List<String> shortNames = strings(names.path("shortNames"));
        List<String> categories = strings(names.path("categories"));
        String storage = null;
        for (JsonNode v : spec.path("versions")) if (v.path("storage").asBoolean()) storage = v.path("name").asText();
        List<ResourceType> out = new ArrayList<>();
        for (JsonNode v : spec.path("versions")) {
            if (!v.path("served").asBoolean(true)) continue;
            JsonNode schema = v.path("schema").path("openAPIV3Schema");
            JsonNode sub = v.path("subresources");
            ResourceType.Scale scale = null;
            if (sub.has("scale")) {
                JsonNode s = sub.path("scale");
                scale = new ResourceType.Scale(s.path("specReplicasPath").asText(), s.path("statusReplicasPath").asText(),
                        s.path("labelSelectorPath").asText(null));
            }
            List<PrinterColumn> columns = new ArrayList<>();
            for (JsonNode c : v.path("additionalPrinterColumns")) {
                columns.add(new PrinterColumn(c.path("name").asText(), c.path("type").asText("string"),
                        c.path("format").asText(""), c.path("description").asText(""), c.path("jsonPath").asText(),
                        c.path("priority").asInt(0)));
            }
            if (!v.has("additionalPrinterColumns")) {
                columns.add(new PrinterColumn("Age", "date", "", "", ".metadata.creationTimestamp", 0));
            }
            out.add(new ResourceType(group, v.path("name").asText(), kind, plural, singular, namespaced, shortNames,
                    categories, schema.isMissingNode() ? null : schema, List.copyOf(columns), sub.has("status"), scale,
                    false, storage == null ? v.path("name").asText() : storage));
        }
        return out;
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : arr) out.add(n.asText());
        return List.copyOf(out);
    }
}
