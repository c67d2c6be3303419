package io.jvirt.apiserver.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.resources.ResourceType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Validation and status of CustomResourceDefinition objects (a CRD is established as soon as it is stored). */
final class CrdRules {
    private CrdRules() {}

    static List<Cause> validate(JsonNode crd) {
        List<Cause> causes = new ArrayList<>();
        JsonNode spec = crd.path("spec");
        String group = spec.path("group").asText("");
        String plural = spec.path("names").path("plural").asText("");
        if (group.isEmpty()) causes.add(Cause.required("spec.group"));
        if (plural.isEmpty()) causes.add(Cause.required("spec.names.plural"));
        if (spec.path("names").path("kind").asText("").isEmpty()) causes.add(Cause.required("spec.names.kind"));
        String name = crd.path("metadata").path("name").asText();
        if (!name.equals(plural + "." + group)) {
            causes.add(Cause.invalid("metadata.name", "Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group"));
        }
        String scope = spec.path("scope").asText("");
        if (!scope.equals("Namespaced") && !scope.equals("Cluster")) {
            causes.add(new Cause("FieldValueNotSupported", "Unsupported value: \"" + scope + "\": supported values: \"Cluster\", \"Namespaced\"", "spec.scope"));
        }
        JsonNode versions = spec.path("versions");
        if (!versions.isArray() || versions.isEmpty()) {
            causes.add(Cause.invalid("spec.versions", "Invalid value: must have at least one version"));
        } else {
            int storage = 0;
            for (JsonNode v : versions) if (v.path("storage").asBoolean(false)) storage++;
            if (storage != 1) causes.add(Cause.invalid("spec.versions", "Invalid value: must have exactly one version marked as storage version"));
        }
        return causes;
    }

    /** Sets status: accepted names, Established and NamesAccepted conditions, stored versions. */
    static void prepare(ObjectNode crd, ResourceType ignored) {
        ObjectNode status = crd.putObject("status");
        status.set("acceptedNames", crd.path("spec").path("names").deepCopy());
        ArrayNode conds = status.putArray("conditions");
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        conds.addObject().put("type", "NamesAccepted").put("status", "True").put("reason", "NoConflicts")
                .put("message", "no conflicts found").put("lastTransitionTime", now);
        conds.addObject().put("type", "Established").put("status", "True").put("reason", "InitialNamesAccepted")
                .put("message", "the initial names have been accepted").put("lastTransitionTime", now);
        ArrayNode stored = status.putArray("storedVersions");
        for (JsonNode v : crd.path("spec").path("versions")) if (v.path("storage").asBoolean(false)) stored.add(v.path("name").asText());
    }
}
