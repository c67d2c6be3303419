package io.jvirt.converter;

import io.jvirt.api.ExampleDirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jvirt.api.instancetype.Expansion;
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
 * examples use their VMI template (a pool its VM's), expanded by the instancetype and preference of the same file
 * as the VM controller expands it. Set {@code examples}: every manifest of the project's {@code examples/};
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

    /**
     * The VMI of the example (the first VMI, VM, replica set or pool in the file): the object itself, or the
     * template of a VM / replica set / pool, with a fixed identity.
     */
    static VirtualMachineInstance loadAsVmi(Path file) throws IOException {
        List<JsonNode> docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file)).readAll();
        JsonNode doc = docs.stream().filter(d -> RUNNABLE.contains(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(file + ": no VMI, VM, VMIRS or pool"));
        JsonNode vmi = switch (doc.path("kind").asText()) {
            case "VirtualMachineInstance" -> doc;
            case "VirtualMachinePool" -> fromTemplate(docs, doc.path("spec").path("virtualMachineTemplate"), doc.path("metadata").path("name").asText());
            default -> fromTemplate(docs, doc, doc.path("metadata").path("name").asText());
        };
        ObjectNode metadata = (ObjectNode) vmi.get("metadata");
        metadata.put("namespace", "ns1").put("uid", "6a1d2f3e-0000-4000-8000-000000000001");
        return JSON.treeToValue(vmi, VirtualMachineInstance.class);
    }

    private static final List<String> RUNNABLE = List.of("VirtualMachineInstance", "VirtualMachine", "VirtualMachineInstanceReplicaSet", "VirtualMachinePool");

    /** A VMI from the template of {@code owner} (a VM, or a pool's VM template), expanded by the file's instancetype and preference. */
    private static ObjectNode fromTemplate(List<JsonNode> docs, JsonNode owner, String name) {
        ObjectNode vmi = JSON.createObjectNode();
        vmi.put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachineInstance");
        JsonNode templateMetadata = owner.path("spec").path("template").path("metadata");
        ObjectNode metadata = templateMetadata.isObject() ? templateMetadata.deepCopy() : JSON.createObjectNode();
        vmi.set("metadata", metadata.put("name", name));
        ObjectNode spec = owner.path("spec").path("template").path("spec").deepCopy();
        List<String> conflicts = Expansion.apply(spec, metadata, specOf(docs, owner.path("spec").path("instancetype")),
                specOf(docs, owner.path("spec").path("preference")), "spec");
        if (!conflicts.isEmpty()) throw new IllegalArgumentException(name + " conflicts with its instancetype: " + conflicts);
        vmi.set("spec", spec);
        return vmi;
    }

    /** The spec of the document the matcher names, or null. */
    private static JsonNode specOf(List<JsonNode> docs, JsonNode matcher) {
        if (!matcher.isObject()) return null;
        return docs.stream().filter(d -> d.path("metadata").path("name").asText().equals(matcher.path("name").asText())
                        && d.path("kind").asText().equals(matcher.path("kind").asText()))
                .map(d -> d.path("spec")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + matcher.path("kind").asText() + " " + matcher.path("name").asText() + " in the file"));
    }
}
