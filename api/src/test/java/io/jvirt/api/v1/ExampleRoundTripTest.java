package io.jvirt.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jvirt.api.ExampleDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example of kind VirtualMachineInstance or VirtualMachine survives read → typed object → write
 * unchanged, including the fields these types do not model: the project's own examples, and (conformance
 * run) KubeVirt's.
 */
class ExampleRoundTripTest {
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Path> ourExamples() {
        return ExampleDirs.yamlFiles(ExampleDirs.ours());
    }

    static List<Path> kubevirtExamples() {
        return ExampleDirs.yamlFiles(ExampleDirs.kubevirts());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ourExamples")
    void typedRoundTripIsLossless(Path file) throws IOException {
        assertLossless(file);
    }

    @Tag(ExampleDirs.CONFORMANCE)
    @ParameterizedTest(name = "{0}")
    @MethodSource("kubevirtExamples")
    void kubevirtExampleRoundTripIsLossless(Path file) throws IOException {
        assertLossless(file);
    }

    private static void assertLossless(Path file) throws IOException {
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
