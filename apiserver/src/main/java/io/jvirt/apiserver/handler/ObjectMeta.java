package io.jvirt.apiserver.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Cause;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/** ObjectMeta rules the server enforces on writes: names, system fields, immutability. Pure apart from uid/name randomness. */
final class ObjectMeta {
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ObjectMeta() {}

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

    /** Validates a name (DNS-1123 subdomain, or label for namespaces) and label/annotation shapes. */
    static List<Cause> validate(JsonNode meta, boolean namespaceObject) {
        List<Cause> causes = new ArrayList<>();
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            causes.add(new Cause("FieldValueRequired", "Required value: name or generateName is required", "metadata.name"));
        } else if (namespaceObject ? !(DNS_LABEL.matcher(name).matches() && name.length() <= 63)
                : !(DNS_SUBDOMAIN.matcher(name).matches() && name.length() <= 253)) {
            causes.add(Cause.invalid("metadata.name", "Invalid value: \"" + name + "\": a lowercase RFC 1123 "
                    + (namespaceObject ? "label" : "subdomain") + " must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
        }
        for (String map : new String[] {"labels", "annotations"}) {
            JsonNode m = meta.path(map);
            if (m.isMissingNode() || m.isNull()) continue;
            if (!m.isObject()) {
                causes.add(Cause.invalid("metadata." + map, "Invalid value: must be a map of strings"));
                continue;
            }
            m.properties().forEach(e -> {
                if (!e.getValue().isTextual()) causes.add(Cause.invalid("metadata." + map + "." + e.getKey(), "Invalid value: must be a string"));
            });
        }
        return causes;
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
