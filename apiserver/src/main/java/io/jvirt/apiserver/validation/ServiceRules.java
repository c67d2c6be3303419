package io.jvirt.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.Cause;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * kube-apiserver's Service rules (the parts of {@code ValidateService} jvirt checks): the type, ports required unless
 * ExternalName or headless, port names (IANA service names, required and unique when more than one port), port
 * numbers, protocols, target ports, selector labels. Pure.
 */
final class ServiceRules {
    static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final Pattern PORT_NAME_CHARS = Pattern.compile("[-a-z0-9]+");

    private ServiceRules() {}

    static void validate(JsonNode service, List<Cause> causes) {
        JsonNode spec = service.path("spec");
        JsonNode type = spec.get("type");
        if (type != null && !TYPES.contains(type.asText())) causes.add(FieldErrors.notSupported("spec.type", type, TYPES));
        JsonNode ports = spec.path("ports");
        boolean headless = "None".equals(spec.path("clusterIP").asText());
        if (ports.isEmpty() && !"ExternalName".equals(spec.path("type").asText()) && !headless) {
            causes.add(FieldErrors.required("spec.ports"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            String field = "spec.ports[" + i + "]";
            String name = port.path("name").asText("");
            if (name.isEmpty() && ports.size() > 1) {
                causes.add(FieldErrors.required(field + ".name"));
            } else if (!name.isEmpty()) {
                Names.dns1123Label(name).forEach(m -> causes.add(FieldErrors.invalid(field + ".name", name, m)));
                if (!names.add(name)) causes.add(FieldErrors.duplicate(field + ".name", name));
            }
            portNumber(field + ".port", port.path("port").asLong(0), causes);
            JsonNode protocol = port.get("protocol");
            if (protocol != null && !PodRules.PROTOCOLS.contains(protocol.asText())) {
                causes.add(FieldErrors.notSupported(field + ".protocol", protocol, PodRules.PROTOCOLS));
            }
            JsonNode target = port.get("targetPort");
            if (target != null && target.isIntegralNumber() && target.asLong() != 0) {
                portNumber(field + ".targetPort", target.asLong(), causes);
            } else if (target != null && target.isTextual()) {
                portNameErrors(target.asText()).forEach(m -> causes.add(FieldErrors.invalid(field + ".targetPort", target.asText(), m)));
            }
        }
        PodRules.labels(spec.path("selector"), "spec.selector", causes);
    }

    static void portNumber(String field, long port, List<Cause> causes) {
        if (port < 1 || port > 65535) causes.add(FieldErrors.invalid(field, port, "must be between 1 and 65535, inclusive"));
    }

    /** An IANA service name as a named port ({@code IsValidPortName}). */
    static List<String> portNameErrors(String name) {
        List<String> errors = new ArrayList<>();
        if (name.length() > 15) errors.add(Names.maxLength(15));
        if (!PORT_NAME_CHARS.matcher(name).matches()) errors.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        if (!name.matches(".*[a-z].*")) errors.add("must contain at least one letter (a-z)");
        if (name.contains("--")) errors.add("must not contain consecutive hyphens");
        if (!name.isEmpty() && (name.startsWith("-") || name.endsWith("-"))) errors.add("must not begin or end with a hyphen");
        return errors;
    }
}
