package io.jvirt.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.Cause;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * kube-apiserver's Pod spec rules (the parts of {@code ValidatePodSpec} jvirt checks): containers present, container
 * and volume names (DNS labels, unique), images, ports, environment variable names, resource quantities (not negative,
 * requests within limits), volume mounts naming a volume, restart policy, node selector labels. Pure.
 */
final class PodRules {
    static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    private static final String ENV_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*";
    private static final Pattern ENV_NAME = Pattern.compile(ENV_FMT);

    private PodRules() {}

    static void validate(JsonNode pod, List<Cause> causes) {
        JsonNode spec = pod.path("spec");
        Set<String> volumes = new HashSet<>();
        JsonNode volumeList = spec.path("volumes");
        for (int i = 0; i < volumeList.size(); i++) {
            String field = "spec.volumes[" + i + "].name";
            String name = volumeList.get(i).path("name").asText("");
            if (name.isEmpty()) {
                causes.add(FieldErrors.required(field));
            } else {
                Names.dns1123Label(name).forEach(m -> causes.add(FieldErrors.invalid(field, name, m)));
                if (!volumes.add(name)) causes.add(FieldErrors.duplicate(field, name));
            }
        }
        if (spec.path("containers").isEmpty()) causes.add(FieldErrors.required("spec.containers"));
        Set<String> containerNames = new HashSet<>();
        for (String list : new String[] {"initContainers", "containers"}) {
            JsonNode containers = spec.path(list);
            for (int i = 0; i < containers.size(); i++) {
                container(containers.get(i), "spec." + list + "[" + i + "]", containerNames, volumes, causes);
            }
        }
        JsonNode restart = spec.get("restartPolicy");
        if (restart != null && !RESTART_POLICIES.contains(restart.asText())) {
            causes.add(FieldErrors.notSupported("spec.restartPolicy", restart, RESTART_POLICIES));
        }
        labels(spec.path("nodeSelector"), "spec.nodeSelector", causes);
    }

    private static void container(JsonNode c, String path, Set<String> names, Set<String> volumes, List<Cause> causes) {
        String name = c.path("name").asText("");
        if (name.isEmpty()) {
            causes.add(FieldErrors.required(path + ".name"));
        } else {
            Names.dns1123Label(name).forEach(m -> causes.add(FieldErrors.invalid(path + ".name", name, m)));
            if (!names.add(name)) causes.add(FieldErrors.duplicate(path + ".name", name));
        }
        if (c.path("image").asText("").isEmpty()) causes.add(FieldErrors.required(path + ".image"));
        ports(c.path("ports"), path + ".ports", causes);
        JsonNode env = c.path("env");
        for (int i = 0; i < env.size(); i++) {
            String field = path + ".env[" + i + "].name";
            String var = env.get(i).path("name").asText("");
            if (var.isEmpty()) {
                causes.add(FieldErrors.required(field));
            } else if (!ENV_NAME.matcher(var).matches()) {
                causes.add(FieldErrors.invalid(field, var, Names.regexError("a valid environment variable name must consist of alphabetic "
                        + "characters, digits, '_', '-', or '.', and must not start with a digit", ENV_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1")));
            }
        }
        resources(c.path("resources"), path + ".resources", causes);
        JsonNode mounts = c.path("volumeMounts");
        for (int i = 0; i < mounts.size(); i++) {
            String field = path + ".volumeMounts[" + i + "]";
            String volume = mounts.get(i).path("name").asText("");
            if (volume.isEmpty()) causes.add(FieldErrors.required(field + ".name"));
            else if (!volumes.contains(volume)) causes.add(FieldErrors.notFound(field + ".name", volume));
            if (mounts.get(i).path("mountPath").asText("").isEmpty()) causes.add(FieldErrors.required(field + ".mountPath"));
        }
    }

    private static void ports(JsonNode ports, String path, List<Cause> causes) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            String field = path + "[" + i + "]";
            String name = port.path("name").asText("");
            if (!name.isEmpty()) {
                List<String> errors = ServiceRules.portNameErrors(name);
                errors.forEach(m -> causes.add(FieldErrors.invalid(field + ".name", name, m)));
                if (errors.isEmpty() && !names.add(name)) causes.add(FieldErrors.duplicate(field + ".name", name));
            }
            long number = port.path("containerPort").asLong(0);
            if (number == 0) causes.add(FieldErrors.required(field + ".containerPort"));
            else ServiceRules.portNumber(field + ".containerPort", number, causes);
            if (port.has("hostPort") && port.path("hostPort").asLong(0) != 0) ServiceRules.portNumber(field + ".hostPort", port.path("hostPort").asLong(), causes);
            JsonNode protocol = port.get("protocol");
            if (protocol != null && !PROTOCOLS.contains(protocol.asText())) causes.add(FieldErrors.notSupported(field + ".protocol", protocol, PROTOCOLS));
        }
    }

    /** Quantities not negative; each request at most its limit. Unparsable quantities are refused before (400). */
    private static void resources(JsonNode resources, String path, List<Cause> causes) {
        for (String kind : new String[] {"limits", "requests"}) {
            for (Map.Entry<String, JsonNode> e : resources.path(kind).properties()) {
                Optional<BigDecimal> value = Quantities.value(e.getValue());
                if (value.isPresent() && value.get().signum() < 0) {
                    causes.add(FieldErrors.invalid(path + "." + kind + "[" + e.getKey() + "]", Quantities.text(e.getValue()), "must be greater than or equal to 0"));
                }
            }
        }
        for (Map.Entry<String, JsonNode> request : resources.path("requests").properties()) {
            JsonNode limit = resources.path("limits").get(request.getKey());
            if (limit == null) continue;
            Optional<BigDecimal> r = Quantities.value(request.getValue()), l = Quantities.value(limit);
            if (r.isPresent() && l.isPresent() && r.get().compareTo(l.get()) > 0) {
                causes.add(FieldErrors.invalid(path + ".requests[" + request.getKey() + "]", Quantities.text(request.getValue()),
                        "must be less than or equal to " + request.getKey() + " limit of " + Quantities.text(limit)));
            }
        }
    }

    /** A label map (selector, node selector): keys qualified names, values label values. */
    static void labels(JsonNode labels, String field, List<Cause> causes) {
        for (Map.Entry<String, JsonNode> e : labels.properties()) {
            Names.qualifiedName(e.getKey()).forEach(m -> causes.add(FieldErrors.invalid(field, e.getKey(), m)));
            Names.labelValue(e.getValue().asText()).forEach(m -> causes.add(FieldErrors.invalid(field, e.getValue().asText(), m)));
        }
    }
}
