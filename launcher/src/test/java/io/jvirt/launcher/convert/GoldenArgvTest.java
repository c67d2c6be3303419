package io.jvirt.launcher.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jvirt.api.v1.VirtualMachineInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The argv for each upstream example a single node can run, compared with the reviewed file
 * {@code src/test/resources/golden/<example>.argv} (one argument per line, then the environment as
 * {@code env KEY=VALUE} lines). VirtualMachine examples use their VMI template.
 *
 * <p>Regenerate after an intended change, then review the diff:
 * {@code mvn -pl launcher -am test -Dtest=GoldenArgvTest -Dsurefire.failIfNoSpecifiedTests=false -Djvirt.golden.update=true}.
 */
class GoldenArgvTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("jvirt.reference.dir", "../../shared/reference"), "kubevirt-examples");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "vmi-ephemeral", "vmi-nocloud", "vmi-fedora", "vmi-alpine-efi", "vmi-secureboot",
        "vmi-masquerade", "vmi-migratable", "vmi-fedora-isolated",
        "vm-cirros", "vm-alpine-datavolume", "vm-priorityclass", "vmi-replicaset-cirros",
    })
    void argvMatchesGolden(String example) throws IOException {
        VirtualMachineInstance vmi = loadAsVmi(EXAMPLES.resolve(example + ".yaml"));
        LaunchPlan plan = new VmiConverter().convert(vmi, Handovers.forVmi(vmi));

        StringBuilder actual = new StringBuilder();
        plan.commandLine().argv().forEach(arg -> actual.append(arg).append('\n'));
        plan.environment().forEach((k, v) -> actual.append("env ").append(k).append('=').append(v).append('\n'));

        Path golden = Path.of(System.getProperty("jvirt.golden.dir", "src/test/resources/golden")).resolve(example + ".argv");
        if (Boolean.getBoolean("jvirt.golden.update")) {
            Files.writeString(golden, actual);
        }
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
                fromTemplate.set("metadata", doc.path("spec").path("template").path("metadata").deepCopy());
                ((ObjectNode) fromTemplate.get("metadata")).put("name", doc.path("metadata").path("name").asText());
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
