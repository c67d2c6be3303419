package io.jvirt.apiserver.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** aggregationRule selectors as label selector text. */
class ClusterRoleAggregatorTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("{\"matchLabels\":{\"a\":\"true\"}}", "a=true"),
                Arguments.of("{}", ""),
                Arguments.of("{\"matchLabels\":{\"a\":\"1\"},\"matchExpressions\":[{\"key\":\"b\",\"operator\":\"In\",\"values\":[\"x\",\"y\"]},"
                        + "{\"key\":\"c\",\"operator\":\"NotIn\",\"values\":[\"z\"]},{\"key\":\"d\",\"operator\":\"Exists\"},"
                        + "{\"key\":\"e\",\"operator\":\"DoesNotExist\"}]}", "a=1,b in (x,y),c notin (z),d,!e"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void selectorText(String json, String text) throws Exception {
        assertEquals(text, ClusterRoleAggregator.selectorText(new ObjectMapper().readTree(json)));
    }
}
