package io.jvirt.apiserver.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.handler.WriteOptions;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.resources.ResourceType;
import java.util.List;
import java.util.Map;

/**
 * Puts {@link BootstrapPolicy} in the store at start, like kube-apiserver's RBAC post-start hook: a missing
 * object is created; an existing one whose {@code rbac.authorization.kubernetes.io/autoupdate} annotation is
 * not {@code "false"} gets the bootstrap rules (or aggregation rule) and labels back, and a bootstrap binding
 * its missing subjects (subjects added by an administrator stay). Also binds users of old token files to
 * their role. Idempotent; not thread-safe (call before serving).
 */
public final class RbacBootstrap {
    private static final WriteOptions SYSTEM = WriteOptions.internal("rbac-bootstrap");
    /** Prefix of the ClusterRoleBinding or RoleBinding that {@code ./jvirt kubeconfig} makes for a user. */
    public static final String USER_BINDING_PREFIX = "jvirt:user:";

    private final ObjectService service;

    public RbacBootstrap(ObjectService service) {
        this.service = service;
    }

    /** Creates or repairs every bootstrap role and binding. */
    public void reconcile() {
        for (ObjectNode o : BootstrapPolicy.clusterRoles()) put(type("clusterroles"), o);
        for (ObjectNode o : BootstrapPolicy.roles()) put(type("roles"), o);
        for (ObjectNode o : BootstrapPolicy.clusterRoleBindings()) put(type("clusterrolebindings"), o);
        for (ObjectNode o : BootstrapPolicy.roleBindings()) put(type("rolebindings"), o);
    }

    /**
     * Binds {@code user} to the ClusterRole {@code role} everywhere (ClusterRoleBinding {@code jvirt:user:<user>}),
     * unless that binding exists. For users of old {@code token,user,role} lines (admin users get
     * {@code system:masters} instead, see TokenFile).
     */
    public void bindUser(String user, String role) {
        ResourceType crbs = type("clusterrolebindings");
        ObjectNode b = BootstrapPolicy.binding(null, USER_BINDING_PREFIX + user, "ClusterRole", role,
                BootstrapPolicy.subject("User", user));
        try {
            service.create(crbs, null, b, SYSTEM);
        } catch (ApiException e) {
            if (e.code() != 409) throw e;
        }
    }

    /** Binds {@code user} to ClusterRole {@code role} in {@code namespace} only (RoleBinding {@code jvirt:user:<user>}), unless it exists. */
    public void bindUser(String user, String role, String namespace) {
        ObjectNode b = BootstrapPolicy.binding(namespace, USER_BINDING_PREFIX + user, "ClusterRole", role,
                BootstrapPolicy.subject("User", user));
        try {
            service.create(type("rolebindings"), namespace, b, SYSTEM);
        } catch (ApiException e) {
            if (e.code() != 409) throw e;
        }
    }

    /** The bindings of old token-file roles: {@code user → admin|edit|view}. */
    public void bindUsers(Map<String, String> roles) {
        roles.forEach((user, role) -> bindUser(user, clusterRoleOf(role)));
    }

    private ResourceType type(String plural) {
        return service.registry().find(BootstrapPolicy.GROUP, "v1", plural).orElseThrow();
    }

    private void put(ResourceType type, ObjectNode wanted) {
        String ns = wanted.path("metadata").path("namespace").asText(null);
        String name = wanted.path("metadata").path("name").asText();
        ObjectNode live;
        try {
            live = service.get(type, ns, name);
        } catch (ApiException e) {
            if (e.code() != 404) throw e;
            service.create(type, ns, wanted.deepCopy(), SYSTEM);
            return;
        }
        if ("false".equals(live.path("metadata").path("annotations").path(BootstrapPolicy.AUTOUPDATE).asText())) return;
        ObjectNode patch = Codec.NODES.objectNode();
        ObjectNode labels = patch.putObject("metadata").putObject("labels");
        wanted.path("metadata").path("labels").fields().forEachRemaining(e -> {
            if (!e.getValue().equals(live.path("metadata").path("labels").path(e.getKey()))) labels.set(e.getKey(), e.getValue());
        });
        if (labels.isEmpty()) patch.remove("metadata");
        if (wanted.has("aggregationRule")) {
            if (!wanted.get("aggregationRule").equals(live.path("aggregationRule"))) patch.set("aggregationRule", wanted.get("aggregationRule"));
        } else if (wanted.has("rules") && !PolicyRule.parseAll(wanted.get("rules")).equals(PolicyRule.parseAll(live.path("rules")))) {
            patch.set("rules", wanted.get("rules"));
        }
        if (wanted.has("subjects")) {
            ArrayNode subjects = live.path("subjects").isArray() ? ((ArrayNode) live.get("subjects")).deepCopy() : Codec.NODES.arrayNode();
            boolean added = false;
            for (JsonNode s : wanted.get("subjects")) {
                if (!contains(subjects, s)) {
                    subjects.add(s);
                    added = true;
                }
            }
            if (added) patch.set("subjects", subjects);
        }
        if (patch.isEmpty()) return;
        service.patch(type, ns, name, null, "application/merge-patch+json", Codec.toJson(patch), SYSTEM);
    }

    private static boolean contains(ArrayNode subjects, JsonNode s) {
        for (JsonNode x : subjects) {
            if (x.path("kind").asText().equals(s.path("kind").asText()) && x.path("name").asText().equals(s.path("name").asText())) return true;
        }
        return false;
    }

    /** The ClusterRole a role of an old token file stands for. */
    public static String clusterRoleOf(String legacyRole) {
        return List.of("edit", "view").contains(legacyRole) ? legacyRole : BootstrapPolicy.CLUSTER_ADMIN;
    }
}
