package io.jvirt.converter;

import io.jvirt.api.ExampleDirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jvirt.api.v1.VirtualMachineInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The argv for each example, compared with the reviewed file {@code src/test/resources/golden/<set>/<example>.argv}
 * (one argument per line, then the environment as {@code env KEY=VALUE} lines). VirtualMachine and replica set
 * examples use their VMI template. Set {@code examples}: every manifest of the project's {@code examples/};
 * set {@code kubevirt} (conformance run): the upstream examples a single node can run.
 *
 * <p>Regenerate after an intended change, then review the diff:
 * {@code mvn -pl converter -am test -Dtest=GoldenArgvTest -Dsurefire.failIfNoSpecifiedTests=false -Djvirt.golden.update=true}
 * (add {@code -Pconformance} for the {@code kubevirt} set).
 */
class GoldenArgvTest {
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<String> ourExamples() {
        return ExampleDirs.yamlFiles(ExampleDirs.ours()).stream().map(p -> p.getFileName().toString().replace(".yaml", "")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ourExamples")
    void argvMatchesGolden(String example) throws IOException {
        assertGolden(ExampleDirs.ours(), "examples", example);
    }

    @Tag(ExampleDirs.CONFORMANCE)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "vmi-ephemeral", "vmi-nocloud", "vmi-fedora", "vmi-alpine-efi", "vmi-secureboot",
        "vmi-masquerade", "vmi-migratable", "vmi-fedora-isolated",
        "vm-cirros", "vm-alpine-datavolume", "vm-priorityclass", "vmi-replicaset-cirros",
    })
    void kubevirtExampleArgvMatchesGolden(String example) throws IOException {
        assertGolden(ExampleDirs.kubevirts(), "kubevirt", example);
    }

    private static void assertGolden(Path examples, String set, String example) throws IOException {
        VirtualMachineInstance vmi = loadAsVmi(examples.resolve(example + ".yaml"));
        LaunchPlan plan = new VmiConverter().convert(vmi, Handovers.forVmi(vmi));

        StringBuilder actual = new StringBuilder();
        plan.commandLine().argv().forEach(arg -> actual.append(arg).append('\n'));
        plan.environment().forEach((k, v) -> actual.append("env ").append(k).append('=').append(v).append('\n'));

        Path golden = Path.of(System.getProperty("jvirt.golden.dir", "src/test/resources/golden")).resolve(set).resolve(example + ".argv");
        if (Boolean.getBoolean("jvirt.golden.update")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual);
        }
        assertTrue(Files.isRegularFile(golden), () -> "no golden argv " + golden + " (write it with -Djvirt.golden.update=true, then review it)");
        assertEquals(Files.readString(golden), actual.toString(), () -> "argv of " + example + " differs from " + golden);
    }

    /** The VMI of the example: the object itself, or the template of a VM / replica set, with a fixed identity. */
    static VirtualMachineInstance loadAsVmi(Path file) throws IOException {
        JsonNode doc = YAML.readTree(Files.readString(file));
        JsonNode vmi = switch (doc.path("kind").asText()) {
            case "VirtualMachineInstance" -> doc;
            case "VirtualMachine", "VirtualMachineInstanceReplicaSet" -> {
                ObjectNode fromTemplate = JSON.createObjectNode();
                fromTemplate.put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachineInstance");
                JsonNode templateMetadata = doc.path("spec").path("template").path("metadata");
                ObjectNode metadata = templateMetadata.isObject() ? templateMetadata.deepCopy() : JSON.createObjectNode();
                fromTemplate.set("metadata", metadata.put("name", doc.path("metadata").path("name").asText()));
                fromTemplate.set("spec", doc.path("spec").path("template").path("spec"));
                yield fromTemplate;
            }
            default -> throw new IllegalArgumentException(file + ": not a VMI, VM or VMIRS");
        };
        ObjectNode metadata = (ObjectNode) vmi.get("metadata");
        metadata.put("namespace", "ns1").put("uid", "6a1d2f3e-0000-4000-8000-000000000001");
        return JSON.treeToValue(vmi, VirtualMachineInstance.class);
    }
}
