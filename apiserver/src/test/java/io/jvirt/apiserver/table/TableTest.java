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

    @ParameterizedTest(name = "includeObject={0}")
    @CsvSource(nullValues = "ABSENT", value = {"ABSENT,METADATA", "Metadata,METADATA", "Object,OBJECT", "None,NONE"})
    void rowsCarryWhatIncludeObjectAsks(String param, IncludeObject expected) throws Exception {
        IncludeObject include = IncludeObject.parse(param);
        assertEquals(expected, include);
        JsonNode event = new ObjectMapper().readTree("{\"kind\":\"Event\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"e1\"},"
                + "\"lastTimestamp\":\"2026-01-01T00:00:00Z\",\"reason\":\"R\"}");
        var type = io.jvirt.apiserver.resources.BuiltinResources.all().stream().filter(t -> t.kind().equals("Event")).findFirst().orElseThrow();
        JsonNode row = TableRenderer.table(type, java.util.List.of(event), true, include, java.time.Instant.now()).path("rows").get(0);
        switch (include) {
            case OBJECT -> assertEquals(event, row.get("object"));
            case NONE -> assertEquals(false, row.has("object"), row.toString());
            case METADATA -> {
                assertEquals("PartialObjectMetadata", row.path("object").path("kind").asText());
                assertEquals(false, row.path("object").has("lastTimestamp"));
            }
        }
    }

    @ParameterizedTest(name = "includeObject={0} is 400")
    @CsvSource({"object", "Full", "metadata"})
    void otherIncludeObjectValuesAreBadRequests(String param) {
        assertEquals(400, org.junit.jupiter.api.Assertions.assertThrows(io.jvirt.apiserver.http.ApiException.class,
                () -> IncludeObject.parse(param)).code());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"h\"},{\"type\":\"InternalIP\",\"address\":\"10.0.0.9\"}]}} | InternalIP | 10.0.0.9",
        "{\"status\":{}}                                                                                                  | ExternalIP | <none>",
    })
    void nodeAddressColumns(String node, String type, String expected) throws Exception {
        assertEquals(expected, io.jvirt.apiserver.resources.BuiltinResources.nodeAddress(new ObjectMapper().readTree(node), type));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{\"metadata\":{\"labels\":{\"node-role.kubernetes.io/worker\":\"\",\"node-role.kubernetes.io/control-plane\":\"\",\"x\":\"y\"}}} | control-plane,worker",
        "{\"metadata\":{}}                                                                                                              | <none>",
    })
    void nodeRolesColumn(String node, String expected) throws Exception {
        assertEquals(expected, io.jvirt.apiserver.resources.BuiltinResources.nodeRoles(new ObjectMapper().readTree(node)));
    }
}
