package io.jvirt.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every upstream example of kind VirtualMachineInstance or VirtualMachine survives read → typed
 * object → write unchanged, including the fields these types do not model.
 */
class ExampleRoundTripTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("jvirt.reference.dir", "../../shared/reference"), "kubevirt-examples");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void typedRoundTripIsLossless(Path file) throws IOException {
        for (JsonNode original : YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(file)).readAll()) {
            if (original == null || original.isNull()) {
                continue;
            }
            Class<?> type = switch (original.path("kind").asText()) {
                case "VirtualMachineInstance" -> VirtualMachineInstance.class;
                case "VirtualMachine" -> VirtualMachine.class;
                default -> null;
            };
            if (type == null) {
                continue;
            }
            Object typed = JSON.treeToValue(original, type);
            JsonNode written = JSON.readTree(JSON.writeValueAsString(typed));
            assertEquals(JSON.readTree(JSON.writeValueAsString(original)), written, () -> file + ": round trip changed the object");
        }
    }
}
