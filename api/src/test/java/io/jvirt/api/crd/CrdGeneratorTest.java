package io.jvirt.api.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.api.ExampleDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The checked-in CRD YAML is exactly what {@link CrdGenerator} produces from KubeVirt's OpenAPI spec. Part
 * of the conformance run (the spec is not in the repository); {@code ./conformance -Djvirt.crd.rewrite=true}
 * rewrites the files after changing the generator or the spec.
 */
@Tag(ExampleDirs.CONFORMANCE)
class CrdGeneratorTest {

    static final Path CHECKED_IN = moduleDir().resolve("src/main/resources/io/jvirt/api/crds");

    static Path moduleDir() {
        String basedir = System.getProperty("basedir");
        return Path.of(basedir != null ? basedir : System.getProperty("user.dir"));
    }

    @Test
    void checkedInCrdsMatchTheGenerator() throws IOException {
        Map<String, String> generated = CrdGenerator.generate(CrdGenerator.readSwagger());
        if (Boolean.getBoolean("jvirt.crd.rewrite")) {
            CrdGenerator.write(generated, CHECKED_IN);
        }
        List<String> checkedIn;
        try (Stream<Path> files = Files.list(CHECKED_IN)) {
            checkedIn = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList();
        }
        assertEquals(generated.keySet().stream().sorted().toList(), checkedIn, "CRD files (rewrite with -Djvirt.crd.rewrite=true)");
        for (Map.Entry<String, String> file : generated.entrySet()) {
            assertEquals(file.getValue(), Files.readString(CHECKED_IN.resolve(file.getKey())),
                    file.getKey() + " differs from the generator's output (rewrite with -Djvirt.crd.rewrite=true)");
        }
    }

    @Test
    void generationIsDeterministic() throws IOException {
        assertEquals(CrdGenerator.generate(CrdGenerator.readSwagger()), CrdGenerator.generate(CrdGenerator.readSwagger()));
    }
}
