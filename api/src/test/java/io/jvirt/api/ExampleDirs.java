package io.jvirt.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where example manifests are. {@link #ours()}: the repository's {@code examples/}, read by {@code ./test}.
 * {@link #kubevirts()} and {@link #reference()}: KubeVirt's examples and OpenAPI spec beside the repository,
 * read only by tests tagged {@code conformance} ({@code ./conformance}); missing, they fail, never skip.
 */
public final class ExampleDirs {
    /** The JUnit tag of the tests that read KubeVirt's reference material. */
    public static final String CONFORMANCE = "conformance";

    private ExampleDirs() {}

    /** {@code -Djvirt.examples.dir}, else {@code ../examples} from the module directory. */
    public static Path ours() {
        return Path.of(System.getProperty("jvirt.examples.dir", "../examples")).toAbsolutePath().normalize();
    }

    /**
     * {@code -Djvirt.reference.dir}, which only the conformance run sets (from {@code $JVIRT_REFERENCE_DIR});
     * throws when it is unset or has no KubeVirt examples.
     */
    public static Path reference() {
        String configured = System.getProperty("jvirt.reference.dir", "");
        if (configured.isBlank()) {
            throw new IllegalStateException("no reference directory: KubeVirt's example manifests and OpenAPI spec are read"
                    + " only by the conformance run (./conformance, which sets -Djvirt.reference.dir from JVIRT_REFERENCE_DIR)");
        }
        Path dir = Path.of(configured).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("kubevirt-examples"))) {
            throw new IllegalStateException("KubeVirt's reference material is missing: no " + dir.resolve("kubevirt-examples")
                    + ". The conformance run needs KubeVirt's example manifests and OpenAPI spec there"
                    + " (set JVIRT_REFERENCE_DIR or -Djvirt.reference.dir); ./test does not.");
        }
        return dir;
    }

    /** KubeVirt's example manifests ({@code <reference>/kubevirt-examples}). */
    public static Path kubevirts() {
        return reference().resolve("kubevirt-examples");
    }

    /** The {@code .yaml} files of {@code dir}, sorted by name; fails when there are none. */
    public static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            if (yaml.isEmpty()) {
                throw new IllegalStateException("no example manifests in " + dir);
            }
            return yaml;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
