package io.jvirt.apiserver.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.apiserver.http.Cause;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RatchetingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OLD = "{\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1.5.5Gi\"}},\"volumes\":[{\"name\":\"Bad_Name\"}]},"
            + "\"status\":{\"phase\":\"Pending\"}}";

    @ParameterizedTest(name = "{0}: {2} kept")
    @CsvSource(delimiter = '|', value = {
        // what the update does                | the new object                                                                                                   | errors kept
        "a status write leaves the spec         | {\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1.5.5Gi\"}},\"volumes\":[{\"name\":\"Bad_Name\"}]},\"status\":{\"phase\":\"Failed\"}} | 0",
        "a new bad value                        | {\"spec\":{\"domain\":{\"memory\":{\"guest\":\"2.5.5Gi\"}},\"volumes\":[{\"name\":\"Bad_Name\"}]}}                               | 1",
        "a changed list item                    | {\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1.5.5Gi\"}},\"volumes\":[{\"name\":\"Worse_Name\"}]}}                             | 1",
        "both changed                           | {\"spec\":{\"domain\":{\"memory\":{\"guest\":\"x\"}},\"volumes\":[{\"name\":\"y_\"}]}}                                           | 2",
    })
    void onlyErrorsInChangedValuesCount(String what, String next, int kept) throws Exception {
        List<Cause> errors = List.of(Cause.invalid("spec.domain.memory.guest", "should match the pattern"),
                Cause.invalid("spec.volumes[0].name", "should match the pattern"));
        assertEquals(kept, Ratcheting.changedOnly(errors, JSON.readTree(OLD), JSON.readTree(next)).size(), what);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "spec.domain.memory.guest | \"1.5.5Gi\"",
        "spec.volumes[0].name     | \"Bad_Name\"",
        "spec.volumes[1].name     | ",
        "spec.nothing.here        | ",
        "status                   | {\"phase\":\"Pending\"}",
    })
    void findsTheValueAtACausePath(String path, String expected) throws Exception {
        JsonNode value = Ratcheting.at(JSON.readTree(OLD), path);
        assertEquals(expected == null ? "" : expected, value.isMissingNode() ? "" : value.toString());
    }
}
