package io.jvirt.apiserver.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.apiserver.security.User;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One rule against one request: kube-apiserver's matching of verbs, groups, resources, subresources, names and paths. */
class PolicyRuleTest {
    private static final User ALICE = User.of("alice", "alice", List.of());

    private static PolicyRule rule(List<String> verbs, List<String> groups, List<String> resources) {
        return PolicyRule.resources(verbs, groups, resources);
    }

    private static RequestAttributes req(String verb, String group, String resource, String sub, String name) {
        return RequestAttributes.resource(ALICE, verb, group, resource, sub, "a", name);
    }

    static Stream<Arguments> cases() {
        PolicyRule podsRead = rule(List.of("get", "list"), List.of(""), List.of("pods"));
        PolicyRule star = rule(List.of("*"), List.of("*"), List.of("*"));
        PolicyRule console = rule(List.of("get"), List.of("subresources.kubevirt.io"), List.of("virtualmachineinstances/console"));
        PolicyRule anyStatus = rule(List.of("update"), List.of("kubevirt.io"), List.of("*/status"));
        PolicyRule named = rule(List.of("get", "list", "create"), List.of(""), List.of("secrets")).named(List.of("mine"));
        PolicyRule paths = PolicyRule.paths(List.of("get"), List.of("/api", "/apis/*"));
        return Stream.of(
                Arguments.of("verb listed", podsRead, req("get", "", "pods", "", "p"), true),
                Arguments.of("verb not listed", podsRead, req("delete", "", "pods", "", "p"), false),
                Arguments.of("other group", podsRead, req("get", "apps", "pods", "", "p"), false),
                Arguments.of("a subresource is not its resource", podsRead, req("get", "", "pods", "log", "p"), false),
                Arguments.of("resource is not a subresource", podsRead, req("get", "", "pods", "status", "p"), false),
                Arguments.of("star matches everything", star, req("deletecollection", "x.io", "foos", "scale", ""), true),
                Arguments.of("star does not match paths", star, RequestAttributes.nonResource(ALICE, "get", "/api"), false),
                Arguments.of("named subresource", console, req("get", "subresources.kubevirt.io", "virtualmachineinstances", "console", "vm"), true),
                Arguments.of("other subresource", console, req("get", "subresources.kubevirt.io", "virtualmachineinstances", "vnc", "vm"), false),
                Arguments.of("console verb is get", console, req("update", "subresources.kubevirt.io", "virtualmachineinstances", "console", "vm"), false),
                Arguments.of("*/status matches any status", anyStatus, req("update", "kubevirt.io", "virtualmachineinstances", "status", "v"), true),
                Arguments.of("*/status is not the resource", anyStatus, req("update", "kubevirt.io", "virtualmachineinstances", "", "v"), false),
                Arguments.of("*/status is not */scale", anyStatus, req("update", "kubevirt.io", "virtualmachineinstances", "scale", "v"), false),
                Arguments.of("resourceNames: the name", named, req("get", "", "secrets", "", "mine"), true),
                Arguments.of("resourceNames: another name", named, req("get", "", "secrets", "", "theirs"), false),
                Arguments.of("resourceNames: list has no name", named, req("list", "", "secrets", "", ""), false),
                Arguments.of("resourceNames: create has no name", named, req("create", "", "secrets", "", ""), false),
                Arguments.of("path exact", paths, RequestAttributes.nonResource(ALICE, "get", "/api"), true),
                Arguments.of("path exact only", paths, RequestAttributes.nonResource(ALICE, "get", "/api/v1"), false),
                Arguments.of("path prefix", paths, RequestAttributes.nonResource(ALICE, "get", "/apis/kubevirt.io/v1"), true),
                Arguments.of("path verb", paths, RequestAttributes.nonResource(ALICE, "post", "/api"), false),
                Arguments.of("path rule does not match resources", paths, req("get", "", "pods", "", "p"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matches(String name, PolicyRule rule, RequestAttributes request, boolean allowed) {
        assertEquals(allowed, rule.matches(request));
    }
}
