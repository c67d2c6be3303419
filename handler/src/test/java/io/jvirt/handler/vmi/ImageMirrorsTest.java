package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageMirrorsTest {
    private static final Path DEMO = Path.of("/build/images/demo/containerdisk");
    private static final Path FEDORA = Path.of("/mirror/fedora");
    private static final ImageMirrors MIRRORS = ImageMirrors.of(DEMO, Map.of(
            "quay.io/containerdisks/fedora:41", FEDORA,
            "kubevirt/cirros-container-disk-demo", Path.of("/override/cirros")));

    @ParameterizedTest
    @CsvSource({
        "registry:5000/kubevirt/cirros-container-disk-demo:devel, /build/images/demo/containerdisk",
        "registry:5000/kubevirt/cirros-container-disk-demo, /build/images/demo/containerdisk",
        "quay.io/kubevirt/cirros-container-disk-demo, /build/images/demo/containerdisk",
        "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0, /build/images/demo/containerdisk",
        "quay.io/kubevirt/cirros-container-disk-demo@sha256:0123456789abcdef, /build/images/demo/containerdisk",
        "kubevirt/cirros-container-disk-demo, /override/cirros",
        "docker.io/kubevirt/cirros-container-disk-demo:latest, /override/cirros",
        "quay.io/containerdisks/fedora, /mirror/fedora",
        "quay.io/containerdisks/fedora:40, /mirror/fedora",
        "quay.io/containerdisks/ubuntu:22.04, ''",
        "registry:5000/kubevirt/fedora-cloud-container-disk-demo:devel, ''",
        "cirros-container-disk-demo, ''",
    })
    void resolves(String image, String expected) {
        assertEquals(expected.isEmpty() ? Optional.empty() : Optional.of(Path.of(expected)), MIRRORS.resolve(image));
    }

    @ParameterizedTest
    @CsvSource({
        "registry:5000/a/b:devel, registry:5000/a/b",
        "registry:5000/a/b, registry:5000/a/b",
        "a/b@sha256:ab, a/b",
        "a/b:1@sha256:ab, a/b",
        "index.docker.io/a/b:1, a/b",
        "localhost:5000/x, localhost:5000/x",
    })
    void repository(String image, String repository) {
        assertEquals(repository, ImageMirrors.repository(image));
    }
}
