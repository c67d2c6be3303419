package io.jvirt.apiserver.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.admission.AdmissionRequest;
import io.jvirt.apiserver.admission.Operation;
import io.jvirt.apiserver.admission.ValidatingAdmitter;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.security.User;
import java.util.ArrayList;
import java.util.List;

/**
 * RBAC's escalation prevention, as kube-apiserver's: a user may create or update a Role or ClusterRole only
 * with rules it holds itself (where the role applies) unless it may {@code escalate} that role, and a
 * RoleBinding or ClusterRoleBinding only to a role whose rules it holds unless it may {@code bind} that role.
 * The server's own writes (no groups) and {@code system:masters} pass. A refusal is 403 Forbidden naming the
 * rules not held. Thread-safe.
 */
public final class EscalationCheck implements ValidatingAdmitter {
    private final RbacAuthorizer authorizer;

    public EscalationCheck(RbacAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public String name() {
        return "rbac-escalation";
    }

    @Override
    public boolean handles(AdmissionRequest r) {
        return r.type().group().equals(BootstrapPolicy.GROUP) && r.subresource() == null
                && (r.operation() == Operation.CREATE || r.operation() == Operation.UPDATE) && !r.userGroups().isEmpty();
    }

    @Override
    public List<Cause> validate(AdmissionRequest r) {
        User user = User.of(r.userName(), r.userName(), r.userGroups());
        if (user.privileged()) return List.of();
        String plural = r.type().plural();
        JsonNode meta = r.object().path("metadata");
        String ns = r.type().namespaced() ? meta.path("namespace").asText("") : "";
        String name = meta.path("name").asText("");
        Policy policy = authorizer.current();
        List<PolicyRule> held = new ArrayList<>(policy.clusterRules(user));
        if (!ns.isEmpty()) held.addAll(policy.namespaceRules(user, ns));
        List<PolicyRule> wanted;
        if (plural.equals("roles") || plural.equals("clusterroles")) {
            if (authorizer.authorize(RequestAttributes.resource(user, "escalate", BootstrapPolicy.GROUP, plural, "", ns, name))) return List.of();
            wanted = PolicyRule.parseAll(r.object().path("rules"));
        } else {
            JsonNode ref = r.object().path("roleRef");
            String refPlural = ref.path("kind").asText().equals("Role") ? "roles" : "clusterroles";
            String refName = ref.path("name").asText();
            if (authorizer.authorize(RequestAttributes.resource(user, "bind", BootstrapPolicy.GROUP, refPlural, "", ns, refName))) return List.of();
            wanted = refPlural.equals("roles") ? policy.role(ns, refName) : policy.clusterRole(refName);
            if (wanted == null) wanted = List.of();
        }
        List<String> missing = new ArrayList<>();
        for (PolicyRule rule : wanted) {
            for (PolicyRule atom : Coverage.breakdown(rule)) {
                if (!Coverage.covers(held, atom)) missing.add(Coverage.describe(atom));
            }
        }
        if (missing.isEmpty()) return List.of();
        String kindName = plural + "." + BootstrapPolicy.GROUP;
        throw new ApiException(403, "Forbidden", kindName + " \"" + name + "\" is forbidden: user \"" + user.name() + "\" (groups="
                + user.groups() + ") is attempting to grant RBAC permissions not currently held:\n" + String.join("\n", missing),
                name, BootstrapPolicy.GROUP, plural, List.of());
    }
}
