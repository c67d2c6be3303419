package io.jvirt.network.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime side of the CNI spec against plugins that are shell scripts recording what they were given (env and
 * stdin) and answering as a plugin does; the real plugins run in the ITs.
 */
class NetworkListTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private void plugin(String name, String output, int exit) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, """
                #!/bin/sh
                cat > "%1$s/$CNI_COMMAND-%2$s.stdin"
                env | grep ^CNI_ | sort > "%1$s/$CNI_COMMAND-%2$s.env"
                printf '%%s' '%3$s'
                exit %4$d
                """.formatted(dir, name, output, exit));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    }

    private NetworkList list() throws IOException {
        return NetworkList.parse(JSON.readTree("""
                {"cniVersion": "1.0.0", "name": "net1", "plugins": [
                  {"type": "first", "ipam": {"type": "host-local"}},
                  {"type": "second", "capabilities": {"portMappings": true}, "runtimeConfig": {"ignored": 1}}]}"""));
    }

    @Test
    void addChainsPrevResultAndRuntimeConfigPerCapability() throws Exception {
        plugin("first", "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.0.5/24\",\"gateway\":\"10.1.0.1\",\"interface\":0}],"
                + "\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}]}", 0);
        plugin("second", "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.0.5/24\",\"interface\":0}],"
                + "\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],\"dns\":{\"nameservers\":[\"10.1.0.1\"]}}", 0);
        ObjectNode runtime = JSON.createObjectNode();
        runtime.putArray("portMappings").addObject().put("hostPort", 8080);
        runtime.put("bandwidth", 1);
        CniResult r = list().add(new CniPlugin(List.of(dir)), new CniPlugin.Target("c1", Path.of("/run/netns/x"), "eth0"), runtime);

        assertEquals("10.1.0.5", r.ipv4On("eth0").orElseThrow().ip());
        assertEquals(List.of("10.1.0.1"), r.nameservers());
        JsonNode first = JSON.readTree(dir.resolve("ADD-first.stdin").toFile());
        JsonNode second = JSON.readTree(dir.resolve("ADD-second.stdin").toFile());
        assertEquals("net1", first.path("name").asText());
        assertEquals("1.0.0", first.path("cniVersion").asText());
        assertTrue(first.path("prevResult").isMissingNode() && first.path("runtimeConfig").isMissingNode(), first.toString());
        assertEquals("10.1.0.1", second.path("prevResult").path("ips").path(0).path("gateway").asText(), "the first result is the second's prevResult");
        assertEquals("{\"portMappings\":[{\"hostPort\":8080}]}", second.path("runtimeConfig").toString(), "only declared capabilities");
        assertEquals(List.of("CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_IFNAME=eth0", "CNI_NETNS=/run/netns/x", "CNI_PATH=" + dir),
                Files.readAllLines(dir.resolve("ADD-first.env")));
    }

    @Test
    void delRunsInReverseAndAsksEveryPluginEvenWhenOneFails() throws Exception {
        plugin("first", "", 0);
        plugin("second", "{\"code\":7,\"msg\":\"boom\",\"details\":\"more\"}", 1);
        CniException e = assertThrows(CniException.class,
                () -> list().delete(new CniPlugin(List.of(dir)), new CniPlugin.Target("c1", null, "eth0"), null, null));
        assertEquals(7, e.code());
        assertTrue(e.getMessage().contains("boom (more)"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("DEL-first.stdin")), "first was asked after second failed");
        assertTrue(Files.readString(dir.resolve("DEL-first.env")).contains("CNI_NETNS=\n"), "no netns: CNI_NETNS empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../bin/sh", "/bin/sh", "a b", ""})
    void aTypeIsAFileNameInThePluginPathOnly(String type) {
        ObjectNode conf = JSON.createObjectNode().put("type", type);
        assertThrows(CniException.class, () -> new CniPlugin(List.of(dir)).invoke(CniCommand.ADD, new CniPlugin.Target("c1", null, "eth0"), conf));
    }
}
