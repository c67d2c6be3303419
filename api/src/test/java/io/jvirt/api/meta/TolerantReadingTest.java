package io.jvirt.api.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TolerantReadingTest {
    /** A resource shaped like the informers' types: metadata, a typed spec with a quantity, a typed status. */
    static final class Thing {
        public String apiVersion;
        public String kind;
        public ObjectMeta metadata;
        public Spec spec;
        public Status status;
        @JsonProperty(value = TolerantReading.UNREADABLE, access = JsonProperty.Access.WRITE_ONLY)
        public String unreadable;
        @JsonProperty(value = TolerantReading.LEFT_OUT, access = JsonProperty.Access.WRITE_ONLY)
        public String leftOut;
    }

    record Spec(Quantity memory, List<String> disks) {}

    record Status(String phase, Integer restarts) {}

    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new TolerantReading(Set.of(Thing.class)));

    private static String thing(String name, String spec, String status) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"" + name + "\",\"uid\":\"u-" + name + "\","
                + "\"resourceVersion\":\"7\"},\"spec\":" + spec + ",\"status\":" + status + "}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // spec                                     | status                           | spec kept | status kept | reason starts with
        "{\"memory\":\"64Mi\",\"disks\":[\"a\"]}    | {\"phase\":\"Running\"}          | true  | true  | ",
        "{\"memory\":\"1x\"}                        | {\"phase\":\"Running\"}          | false | true  | spec.memory: quantity '1x' is not valid",
        "{\"memory\":\"1e100\",\"disks\":\"a\"}     | {\"phase\":\"Pending\"}          | false | true  | spec.disks: ",
        "{\"memory\":\"64Mi\",\"disks\":[{}]}       | {\"phase\":\"Pending\"}          | false | true  | spec.disks[0]: ",
        "{\"memory\":\"64Mi\"}                      | {\"restarts\":\"many\"}          | true  | false | status.restarts: ",
        "{\"memory\":\"x\"}                         | {\"restarts\":\"many\"}          | false | false | spec.memory: quantity 'x'",
        "\"not-an-object\"                          | null                             | false | false | spec: ",
    })
    void keepsWhatReadsAndSaysWhyTheRestDoesNot(String spec, String status, boolean specKept, boolean statusKept, String reason) throws Exception {
        Thing t = JSON.readValue(thing("a", spec, status), Thing.class);
        assertEquals("a", t.metadata.name());
        assertEquals("u-a", t.metadata.uid());
        assertEquals(specKept, t.spec != null, "spec kept");
        assertEquals(statusKept, t.status != null, "status kept");
        assertEquals(specKept, t.leftOut == null || !t.leftOut.contains("spec"), "spec listed as left out");
        assertEquals(statusKept || status.equals("null"), t.leftOut == null || !t.leftOut.contains("status"), "status listed as left out");
        if (reason == null) {
            assertNull(t.unreadable);
        } else {
            assertNotNull(t.unreadable);
            assertTrue(t.unreadable.startsWith(reason), t.unreadable);
        }
    }

    @Test
    void oneBadItemDoesNotFailTheList() throws Exception {
        String list = "[" + thing("good", "{\"memory\":\"1Gi\"}", "{}") + "," + thing("bad", "{\"memory\":\"1.5.5\"}", "{}") + ","
                + thing("later", "{\"memory\":\"1Ei\"}", "{}") + "]";
        List<Thing> things = JSON.readValue(list, new TypeReference<>() {});
        assertEquals(List.of("good", "bad", "later"), things.stream().map(t -> t.metadata.name()).toList());
        assertEquals(Quantity.parse("1Gi"), things.get(0).spec.memory());
        assertTrue(things.get(1).unreadable.contains("'1.5.5'"), things.get(1).unreadable);
        assertEquals(Quantity.parse("1Ei"), things.get(2).spec.memory());
        assertNull(things.get(2).unreadable);
    }

    @Test
    void brokenMetadataKeepsTheIdentity() throws Exception {
        String json = "{\"apiVersion\":\"v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"m\",\"namespace\":\"ns\",\"uid\":\"u\","
                + "\"resourceVersion\":\"3\",\"labels\":\"not-a-map\"},\"spec\":{}}";
        Thing t = JSON.readValue(json, Thing.class);
        assertEquals("m", t.metadata.name());
        assertEquals("ns", t.metadata.namespace());
        assertEquals("3", t.metadata.resourceVersion());
        assertTrue(t.unreadable.startsWith("metadata.labels: "), t.unreadable);
        assertEquals("spec", t.leftOut);
    }

    @Test
    void theMarkerCannotBeSetFromOutside() throws Exception {
        String json = thing("a", "{\"memory\":\"1\"}", "{}").replaceFirst("\\{", "{\"" + TolerantReading.UNREADABLE + "\":\"forged\",");
        Thing t = JSON.readValue(json, Thing.class);
        assertNull(t.unreadable);
        assertNull(t.leftOut);
        assertNotNull(t.spec);
    }

    @Test
    void otherTypesStillFail() {
        assertThrows(Exception.class, () -> JSON.readValue("{\"memory\":\"1x\"}", Spec.class));
        assertThrows(Exception.class, () -> JSON.readValue("[1]", Thing.class)); // not an object: nothing to keep
    }

    @Test
    void convertValueFromAMapIsTolerantToo() {
        Map<String, Object> map = Map.of("apiVersion", "v1", "kind", "Thing", "metadata", Map.of("name", "c"),
                "spec", Map.of("memory", "1Ei", "disks", Map.of()));
        Thing t = JSON.convertValue(map, Thing.class);
        assertEquals("c", t.metadata.name());
        assertNull(t.spec);
        assertTrue(t.unreadable.startsWith("spec.disks"), t.unreadable);
    }
}
