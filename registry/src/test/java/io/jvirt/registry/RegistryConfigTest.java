package io.jvirt.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryConfigTest {
    private static final RegistryConfig CONFIG = new RegistryConfig(Map.of(
            "registry:5000", "127.0.0.1:5000",
            "quay.io/kubevirt", "127.0.0.1:5000/mirrored/kubevirt",
            "quay.io/kubevirt/special", "localhost:6000/special",
            "docker.io", "mirror.example:443/hub/"), Set.of("mirror.example:443"));

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            registry:5000/kubevirt/cirros-container-disk-demo:devel | 127.0.0.1:5000/kubevirt/cirros-container-disk-demo:devel
            quay.io/kubevirt/fedora-cloud-container-disk-demo       | 127.0.0.1:5000/mirrored/kubevirt/fedora-cloud-container-disk-demo:latest
            quay.io/kubevirt/special:1                              | localhost:6000/special:1
            quay.io/kubevirt/special-but-not:1                      | 127.0.0.1:5000/mirrored/kubevirt/special-but-not:1
            quay.io/kubevirtx/a:1                                   | quay.io/kubevirtx/a:1
            busybox                                                 | mirror.example:443/hub/library/busybox:latest
            registry:50000/a:1                                      | registry:50000/a:1
            """)
    void mirrorsMapTheLongestPrefixAtASlash(String image, String pulledFrom) {
        assertEquals(pulledFrom, CONFIG.resolve(ImageReference.parse(image)).toString());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:5000     | true
            127.9.8.7          | true
            localhost:5000     | true
            [::1]:5000         | true
            mirror.example:443 | true
            mirror.example     | false
            quay.io            | false
            128.0.0.1:5000     | false
            localhost.example  | false
            """)
    void plainHttpOnlyForLoopbackAndTheInsecureList(String registry, boolean plain) {
        assertEquals(plain, CONFIG.plainHttp(registry));
    }

    @org.junit.jupiter.api.Test
    void settingsAreReadFromPropertiesSyntax() throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.load(new java.io.StringReader("registryMirror.registry\\:5000=127.0.0.1\\:5000 \ninsecureRegistries= a:5000 ,b,\nother=x\n"));
        RegistryConfig config = RegistryConfig.fromProperties(p);
        assertEquals(new RegistryConfig(Map.of("registry:5000", "127.0.0.1:5000"), Set.of("a:5000", "b")), config);
        assertEquals("127.0.0.1:5000/kubevirt/x:devel", config.resolve(ImageReference.parse("registry:5000/kubevirt/x:devel")).toString());
        assertEquals(RegistryConfig.DEFAULT, RegistryConfig.fromProperties(new java.util.Properties()));
    }
}
