package io.jvirt.apiserver.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.security.User;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers {@code authorization.k8s.io/v1} SelfSubjectAccessReview ("may I do this?", what
 * {@code kubectl auth can-i} asks) with the same {@link RbacAuthorizer} decision a real request gets, and
 * SelfSubjectRulesReview (what {@code kubectl auth can-i --list} shows) from the rules bound to the caller
 * everywhere and in the review's namespace (marked incomplete where jvirt's system-namespace guard narrows them). Reviews are answered, never stored. Thread-safe.
 */
public final class AccessReviews {
    public static final String GROUP = "authorization.k8s.io";
    private final RbacAuthorizer authorizer;

    public AccessReviews(RbacAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    /** Whether {@code group/plural} is a review this class answers. */
    public static boolean handles(String group, String plural) {
        return group.equals(GROUP) && (plural.equals("selfsubjectaccessreviews") || plural.equals("selfsubjectrulesreviews"));
    }

    /** The review {@code body} of {@code plural} for {@code user}, with its {@code status} filled in. */
    public ObjectNode answer(String plural, ObjectNode body, User user) {
        ObjectNode out = body.deepCopy();
        out.put("apiVersion", GROUP + "/v1");
        out.put("kind", plural.equals("selfsubjectaccessreviews") ? "SelfSubjectAccessReview" : "SelfSubjectRulesReview");
        out.withObjectProperty("metadata").put("creationTimestamp", (String) null);
        ObjectNode status = out.putObject("status");
        if (plural.equals("selfsubjectrulesreviews")) {
            rules(status, user, out.path("spec").path("namespace").asText(""));
            return out;
        }
        boolean allowed = authorizer.authorize(attributes(out.path("spec"), user));
        status.put("allowed", allowed);
        if (allowed && !user.privileged()) status.put("reason", "RBAC: allowed by a binding of " + user.name());
        return out;
    }

    private static RequestAttributes attributes(JsonNode spec, User user) {
        JsonNode r = spec.path("resourceAttributes");
        JsonNode n = spec.path("nonResourceAttributes");
        if (r.isObject()) {
            return RequestAttributes.resource(user, r.path("verb").asText(""), r.path("group").asText(""),
                    r.path("resource").asText(""), r.path("subresource").asText(""), r.path("namespace").asText(""),
                    r.path("name").asText(""));
        }
        if (n.isObject()) return RequestAttributes.nonResource(user, n.path("verb").asText(""), n.path("path").asText(""));
        throw ApiException.invalid("SelfSubjectAccessReview", GROUP, "selfsubjectaccessreviews", "", List.of(new Cause("FieldValueRequired",
                "exactly one of nonResourceAttributes or resourceAttributes must be specified", "spec.resourceAttributes")));
    }

    private void rules(ObjectNode status, User user, String namespace) {
        Policy p = authorizer.current();
        List<PolicyRule> rules = new ArrayList<>();
        List<PolicyRule> everything = p.clusterRole(BootstrapPolicy.CLUSTER_ADMIN);
        if (user.privileged() && everything != null) rules.addAll(everything);
        rules.addAll(p.clusterRules(user));
        if (!namespace.isEmpty()) rules.addAll(p.namespaceRules(user, namespace));
        ArrayNode resourceRules = status.putArray("resourceRules");
        ArrayNode nonResourceRules = status.putArray("nonResourceRules");
        for (PolicyRule r : rules) {
            ObjectNode j = r.toJson();
            if (!r.resources().isEmpty()) {
                j.remove("nonResourceURLs");
                resourceRules.add(j);
            }
            if (!r.nonResourceURLs().isEmpty()) {
                ObjectNode nr = nonResourceRules.addObject();
                nr.set("verbs", j.get("verbs"));
                nr.set("nonResourceURLs", r.toJson().get("nonResourceURLs"));
            }
        }
        boolean guarded = !user.privileged() && (namespace.isEmpty() || BootstrapPolicy.SYSTEM_NAMESPACES.contains(namespace));
        status.put("incomplete", guarded);
        if (guarded) {
            status.put("evaluationError", "Secrets of all namespaces, and Secrets and writes in the system namespaces, are granted only by"
                    + " RoleBindings there or by cluster-admin; rules above that other bindings grant do not apply to them");
        }
    }
}
