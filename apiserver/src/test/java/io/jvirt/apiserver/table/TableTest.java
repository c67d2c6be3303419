package io.jvirt.apiserver.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TableTest {
    static final JsonNode VMI;

    static {
        try {
            VMI = new ObjectMapper().readTree("{\"status\":{\"phase\":\"Running\",\"interfaces\":[{\"ipAddress\":\"10.0.0.1\"},{\"ipAddress\":\"10.0.0.2\"}],"
                    + "\"conditions\":[{\"type\":\"Paused\",\"status\":\"False\"},{\"type\":\"Ready\",\"status\":\"True\"}]}}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        ".status.phase                                      | \"Running\"",
        ".status.interfaces[0].ipAddress                    | \"10.0.0.1\"",
        ".status.interfaces[-1].ipAddress                   | \"10.0.0.2\"",
        ".status.conditions[?(@.type=='Ready')].status      | \"True\"",
        "{.status.conditions[?(@.type==\"Paused\")].status} | \"False\"",
        ".status.nothing                                    | ''",
        ".status.interfaces[5].ipAddress                    | ''",
    })
    void jsonPath(String expression, String expected) {
        JsonNode v = JsonPath.first(VMI, expression);
        assertEquals(expected, v.isMissingNode() ? "" : v.toString());
    }

    @ParameterizedTest(name = "{0}s -> {1}")
    @CsvSource({"0,0s", "59,59s", "119,119s", "125,2m5s", "600,10m", "7200,120m", "11000,3h3m", "90000,25h", "200000,2d7h", "864000,10d", "63072000,2y", "315360000,10y", "-5,<invalid>"})
    void humanAge(long seconds, String expected) {
        assertEquals(expected, TableRenderer.humanAge(Duration.ofSeconds(seconds)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}                                       | Ready",
        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}                                      | NotReady",
        "{\"status\":{}}                                                                                    | Unknown",
        "{\"spec\":{\"unschedulable\":true},\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}} | Ready,SchedulingDisabled",
    })
    void nodeStatusIsWhatKubectlPrints(String node, String expected) throws Exception {
        assertEquals(expected, io.jvirt.apiserver.resources.BuiltinResources.nodeStatus(new ObjectMapper().readTree(node)));
    }
}
