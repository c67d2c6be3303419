package io.jvirt.apiserver.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Escalation prevention's coverage: held rules against a wanted rule, atom by atom. */
class CoverageTest {
    private static PolicyRule r(List<String> verbs, List<String> groups, List<String> resources) {
        return PolicyRule.resources(verbs, groups, resources);
    }

    static Stream<Arguments> cases() {
        PolicyRule podsRw = r(List.of("get", "list", "create"), List.of(""), List.of("pods", "configmaps"));
        PolicyRule star = r(List.of("*"), List.of("*"), List.of("*"));
        return Stream.of(
                Arguments.of("a subset", List.of(podsRw), r(List.of("get"), List.of(""), List.of("pods")), true),
                Arguments.of("split over two held rules", List.of(r(List.of("get"), List.of(""), List.of("pods")),
                        r(List.of("list"), List.of(""), List.of("pods"))), r(List.of("get", "list"), List.of(""), List.of("pods")), true),
                Arguments.of("a verb more", List.of(podsRw), r(List.of("delete"), List.of(""), List.of("pods")), false),
                Arguments.of("a wildcard wanted needs a wildcard held", List.of(podsRw), r(List.of("*"), List.of(""), List.of("pods")), false),
                Arguments.of("star covers everything", List.of(star), r(List.of("*"), List.of("x.io"), List.of("foos/status")), true),
                Arguments.of("star does not cover paths", List.of(star), PolicyRule.paths(List.of("get"), List.of("/metrics")), false),
                Arguments.of("*/status covers a status", List.of(r(List.of("get"), List.of("kubevirt.io"), List.of("*/status"))),
                        r(List.of("get"), List.of("kubevirt.io"), List.of("virtualmachineinstances/status")), true),
                Arguments.of("named held does not cover unnamed", List.of(r(List.of("get"), List.of(""), List.of("secrets")).named(List.of("a"))),
                        r(List.of("get"), List.of(""), List.of("secrets")), false),
                Arguments.of("named held covers the same name", List.of(r(List.of("get"), List.of(""), List.of("secrets")).named(List.of("a"))),
                        r(List.of("get"), List.of(""), List.of("secrets")).named(List.of("a")), true),
                Arguments.of("path prefix", List.of(PolicyRule.paths(List.of("get"), List.of("/apis/*"))),
                        PolicyRule.paths(List.of("get"), List.of("/apis/kubevirt.io")), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void covers(String name, List<PolicyRule> held, PolicyRule wanted, boolean covered) {
        assertEquals(covered, Coverage.breakdown(wanted).stream().allMatch(atom -> Coverage.covers(held, atom)));
    }
}
