package io.jvirt.apiserver.rbac;

import io.jvirt.apiserver.security.User;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * One consistent view of every Role, ClusterRole, RoleBinding and ClusterRoleBinding, and the RBAC
 * decision on it: a request is allowed when a ClusterRoleBinding applying to the user grants it through
 * its ClusterRole, or when the request is in a namespace and a RoleBinding of that namespace applying to
 * the user grants it through its Role or ClusterRole. A binding whose role does not exist grants nothing.
 * Immutable apart from a per-user cache of the rules that apply; thread-safe.
 */
public final class Policy {
    /** The empty policy: nothing is allowed. */
    public static final Policy EMPTY = new Policy(Map.of(), Map.of(), List.of(), Map.of());

    private final Map<String, List<PolicyRule>> clusterRoles;
    private final Map<String, List<PolicyRule>> roles;
    private final List<Binding> clusterBindings;
    private final Map<String, List<Binding>> roleBindings;
    private final Map<String, List<PolicyRule>> clusterRulesByUser = new ConcurrentHashMap<>();
    private final Map<String, List<PolicyRule>> namespaceRulesByUser = new ConcurrentHashMap<>();

    /**
     * @param roles keyed {@code namespace/name}
     * @param roleBindings keyed by namespace
     */
    public Policy(Map<String, List<PolicyRule>> clusterRoles, Map<String, List<PolicyRule>> roles,
                  List<Binding> clusterBindings, Map<String, List<Binding>> roleBindings) {
        this.clusterRoles = Map.copyOf(clusterRoles);
        this.roles = Map.copyOf(roles);
        this.clusterBindings = List.copyOf(clusterBindings);
        this.roleBindings = Map.copyOf(roleBindings);
    }

    /** Whether RBAC allows {@code a}. */
    public boolean allows(RequestAttributes a) {
        if (anyMatches(clusterRules(a.user()), a)) return true;
        return !a.namespace().isEmpty() && anyMatches(namespaceRules(a.user(), a.namespace()), a);
    }

    /**
     * Whether {@code a} is allowed counting only the RoleBindings of its namespace and the ClusterRoleBindings
     * that {@code clusterBinding} accepts (not cached; for the few guarded requests).
     */
    public boolean allowsOnly(RequestAttributes a, Predicate<Binding> clusterBinding) {
        for (Binding b : clusterBindings) {
            if (clusterBinding.test(b) && b.appliesTo(a.user()) && anyMatches(clusterRoles.getOrDefault(b.roleName(), List.of()), a)) return true;
        }
        return !a.namespace().isEmpty() && anyMatches(namespaceRules(a.user(), a.namespace()), a);
    }

    /** The rules granted to {@code user} everywhere (by ClusterRoleBindings). */
    public List<PolicyRule> clusterRules(User user) {
        return clusterRulesByUser.computeIfAbsent(key(user), k -> {
            List<PolicyRule> out = new ArrayList<>();
            for (Binding b : clusterBindings) {
                if (b.roleKind().equals("ClusterRole") && b.appliesTo(user)) out.addAll(clusterRoles.getOrDefault(b.roleName(), List.of()));
            }
            return List.copyOf(out);
        });
    }

    /** The rules granted to {@code user} in {@code namespace} only (by that namespace's RoleBindings). */
    public List<PolicyRule> namespaceRules(User user, String namespace) {
        List<Binding> bindings = roleBindings.get(namespace);
        if (bindings == null) return List.of();
        return namespaceRulesByUser.computeIfAbsent(namespace + "\u0000" + key(user), k -> {
            List<PolicyRule> out = new ArrayList<>();
            for (Binding b : bindings) {
                if (!b.appliesTo(user)) continue;
                List<PolicyRule> rules = b.roleKind().equals("Role") ? roles.get(namespace + "/" + b.roleName())
                        : b.roleKind().equals("ClusterRole") ? clusterRoles.get(b.roleName()) : null;
                if (rules != null) out.addAll(rules);
            }
            return List.copyOf(out);
        });
    }

    /** The rules of Role {@code namespace/name}, or null. */
    public List<PolicyRule> role(String namespace, String name) {
        return roles.get(namespace + "/" + name);
    }

    /** The rules of ClusterRole {@code name}, or null. */
    public List<PolicyRule> clusterRole(String name) {
        return clusterRoles.get(name);
    }

    private static boolean anyMatches(List<PolicyRule> rules, RequestAttributes a) {
        for (PolicyRule r : rules) {
            if (r.matches(a)) return true;
        }
        return false;
    }

    private static String key(User user) {
        return user.name() + "\u0000" + String.join("\u0000", user.groups());
    }
}
