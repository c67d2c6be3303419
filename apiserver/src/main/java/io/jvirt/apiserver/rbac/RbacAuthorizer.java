package io.jvirt.apiserver.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.store.KeyPrefix;
import io.jvirt.store.ListOptions;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.StoredObject;
import io.jvirt.store.Watch;
import io.jvirt.store.WatchEnd;
import io.jvirt.store.WatchEvent;
import io.jvirt.store.WatchListener;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Decides every request with RBAC over the stored Roles, ClusterRoles and their bindings, as kube-apiserver's
 * authorizer chain does: users in {@code system:masters} are allowed without a look at the policy (the bootstrap
 * binds that group to {@code cluster-admin}, so the policy would say the same); everyone else gets what
 * {@link Policy#allows} says, except for guarded requests (Secrets and writes in a system namespace, Secrets of
 * all namespaces at once): those count only RoleBindings of that namespace and ClusterRoleBindings to
 * {@code cluster-admin}, so a cluster-wide {@code edit} or {@code view} binding never reaches the control plane's
 * credentials.
 *
 * <p>The policy is read from the store and read again after a watch reports a change to one of the four kinds;
 * a denial made on a policy older than the store is checked once more on a fresh read, so a binding is in force as
 * soon as its write was acknowledged. Thread-safe.
 */
public final class RbacAuthorizer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RbacAuthorizer.class.getName());
    private static final List<String> READ = List.of("get", "list", "watch");
    static final List<String> KINDS = List.of("clusterroles", "roles", "clusterrolebindings", "rolebindings");

    private final ObjectStore store;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private volatile Policy policy = Policy.EMPTY;
    private volatile long loadedAt = -1;
    private volatile boolean dirty = true;
    private volatile boolean closed;

    public RbacAuthorizer(ObjectStore store) {
        this.store = store;
    }

    /** Loads the policy and starts following changes. Call once. */
    public RbacAuthorizer start() {
        for (String kind : KINDS) follow(KeyPrefix.of(BootstrapPolicy.GROUP, kind));
        reload();
        return this;
    }

    private void follow(KeyPrefix prefix) {
        if (closed) return;
        watches.add(store.watch(prefix, store.currentResourceVersion(), new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                dirty = true;
            }

            @Override
            public void onEnd(WatchEnd reason) {
                dirty = true;
                if (!(reason instanceof WatchEnd.Cancelled) && !(reason instanceof WatchEnd.StoreClosed)) follow(prefix);
            }
        }));
    }

    /** Whether {@code a} is allowed. */
    public boolean authorize(RequestAttributes a) {
        if (a.user().privileged()) return true;
        if (evaluate(current(), a)) return true;
        if (store.currentResourceVersion() == loadedAt) return false;
        return evaluate(reload(), a);
    }

    /** The same decision without the {@code system:masters} shortcut: the policy's answer alone. */
    public boolean authorizeByPolicy(RequestAttributes a) {
        return evaluate(current(), a);
    }

    private static boolean evaluate(Policy p, RequestAttributes a) {
        if (!guarded(a)) return p.allows(a);
        return p.allowsOnly(a, b -> b.roleKind().equals("ClusterRole") && b.roleName().equals(BootstrapPolicy.CLUSTER_ADMIN));
    }

    /** Whether {@code a} touches the control plane's own objects: Secrets or writes in a system namespace, all Secrets at once. */
    static boolean guarded(RequestAttributes a) {
        if (!a.resourceRequest()) return false;
        boolean secrets = a.apiGroup().isEmpty() && a.resource().equals("secrets");
        if (BootstrapPolicy.SYSTEM_NAMESPACES.contains(a.namespace())) return secrets || !READ.contains(a.verb());
        return secrets && a.namespace().isEmpty();
    }

    /** The current policy (read again first if it changed). */
    public Policy current() {
        return dirty ? reload() : policy;
    }

    private synchronized Policy reload() {
        long rv = store.currentResourceVersion();
        dirty = false;
        Map<String, List<PolicyRule>> clusterRoles = new HashMap<>();
        Map<String, List<PolicyRule>> roles = new HashMap<>();
        List<Binding> clusterBindings = new ArrayList<>();
        Map<String, List<Binding>> roleBindings = new HashMap<>();
        for (String kind : KINDS) {
            for (StoredObject o : store.list(KeyPrefix.of(BootstrapPolicy.GROUP, kind), ListOptions.ALL).items()) {
                JsonNode n;
                try {
                    n = ObjectService.parse(o);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "skipping unreadable " + o.key() + ": " + e.getMessage());
                    continue;
                }
                String ns = n.path("metadata").path("namespace").asText("");
                String name = n.path("metadata").path("name").asText();
                switch (kind) {
                    case "clusterroles" -> clusterRoles.put(name, PolicyRule.parseAll(n.path("rules")));
                    case "roles" -> roles.put(ns + "/" + name, PolicyRule.parseAll(n.path("rules")));
                    case "clusterrolebindings" -> clusterBindings.add(Binding.parse(n));
                    default -> roleBindings.computeIfAbsent(ns, k -> new ArrayList<>()).add(Binding.parse(n));
                }
            }
        }
        policy = new Policy(clusterRoles, roles, clusterBindings, roleBindings);
        loadedAt = rv;
        return policy;
    }

    @Override
    public void close() {
        closed = true;
        watches.forEach(Watch::close);
    }
}
