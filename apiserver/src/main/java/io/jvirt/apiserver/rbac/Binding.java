package io.jvirt.apiserver.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.security.User;
import java.util.ArrayList;
import java.util.List;

/**
 * A RoleBinding ({@code namespace} set) or ClusterRoleBinding ({@code namespace} empty): which subjects get
 * the rules of the referenced Role (same namespace) or ClusterRole. Immutable.
 */
public record Binding(String namespace, String name, String roleKind, String roleName, List<Subject> subjects) {

    /** A User, Group or ServiceAccount named in a binding. */
    public record Subject(String kind, String name, String namespace) {}

    public Binding {
        subjects = List.copyOf(subjects);
    }

    /** Parses a stored RoleBinding or ClusterRoleBinding. */
    public static Binding parse(JsonNode o) {
        List<Subject> subjects = new ArrayList<>();
        for (JsonNode s : o.path("subjects")) {
            subjects.add(new Subject(s.path("kind").asText(), s.path("name").asText(), s.path("namespace").asText("")));
        }
        JsonNode ref = o.path("roleRef");
        return new Binding(o.path("metadata").path("namespace").asText(""), o.path("metadata").path("name").asText(),
                ref.path("kind").asText(), ref.path("name").asText(), subjects);
    }

    /** Whether one of the subjects is {@code user}: by name, by one of its groups, or as service account. */
    public boolean appliesTo(User user) {
        for (Subject s : subjects) {
            boolean match = switch (s.kind()) {
                case "User" -> s.name().equals(user.name());
                case "Group" -> user.groups().contains(s.name());
                case "ServiceAccount" -> user.name().equals("system:serviceaccount:"
                        + (s.namespace().isEmpty() ? namespace : s.namespace()) + ":" + s.name());
                default -> false;
            };
            if (match) return true;
        }
        return false;
    }
}
