package io.jvirt.apiserver.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.apiserver.security.User;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bindings: who a binding names (User, Group, ServiceAccount), and where it grants (cluster-wide vs one namespace). */
class PolicyTest {
    private static final List<PolicyRule> PODS = List.of(PolicyRule.resources(List.of("get", "list"), List.of(""), List.of("pods")));
    private static final List<PolicyRule> NODES = List.of(PolicyRule.resources(List.of("get"), List.of(""), List.of("nodes")));

    private static Binding.Subject subject(String kind, String name, String ns) {
        return new Binding.Subject(kind, name, ns);
    }

    private static final Policy POLICY = new Policy(
            Map.of("pod-reader", PODS, "node-reader", NODES),
            Map.of("a/local-pods", PODS),
            List.of(new Binding("", "nodes-to-ops", "ClusterRole", "node-reader", List.of(subject("Group", "ops", "")))),
            Map.of("a", List.of(
                    new Binding("a", "alice-pods", "ClusterRole", "pod-reader", List.of(subject("User", "alice", ""))),
                    new Binding("a", "sa-pods", "Role", "local-pods", List.of(subject("ServiceAccount", "robot", ""))),
                    new Binding("a", "bob-nodes", "ClusterRole", "node-reader", List.of(subject("User", "bob", ""))),
                    new Binding("a", "carol-missing", "Role", "does-not-exist", List.of(subject("User", "carol", ""))))));

    private static User user(String name, String... groups) {
        return User.of(name, name, List.of(groups));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("RoleBinding grants in its namespace", user("alice"), "get", "pods", "a", true),
                Arguments.of("RoleBinding does not grant in another namespace", user("alice"), "get", "pods", "b", false),
                Arguments.of("RoleBinding does not grant across all namespaces", user("alice"), "list", "pods", "", false),
                Arguments.of("a ClusterRole bound in a namespace grants no cluster-scoped resource", user("bob"), "get", "nodes", "", false),
                Arguments.of("a ClusterRoleBinding by group grants cluster-wide", user("dave", "ops"), "get", "nodes", "", true),
                Arguments.of("not in the group", user("dave", "dev"), "get", "nodes", "", false),
                Arguments.of("ServiceAccount subject in the binding's namespace", user("system:serviceaccount:a:robot"), "list", "pods", "a", true),
                Arguments.of("ServiceAccount of another namespace", user("system:serviceaccount:b:robot"), "list", "pods", "a", false),
                Arguments.of("a binding to a missing role grants nothing", user("carol"), "get", "pods", "a", false),
                Arguments.of("nobody else", user("eve"), "get", "pods", "a", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void allows(String name, User user, String verb, String resource, String namespace, boolean allowed) {
        assertEquals(allowed, POLICY.allows(RequestAttributes.resource(user, verb, "", resource, "", namespace, "x")));
    }
}
