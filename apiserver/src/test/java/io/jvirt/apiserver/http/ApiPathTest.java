package io.jvirt.apiserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiPathTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
        "/api/v1/pods,                                                   '', v1, -, pods, -, -",
        "/api/v1/namespaces,                                             '', v1, -, namespaces, -, -",
        "/api/v1/namespaces/default,                                     '', v1, -, namespaces, default, -",
        "/api/v1/namespaces/default/status,                              '', v1, -, namespaces, default, status",
        "/api/v1/namespaces/default/pods,                                '', v1, default, pods, -, -",
        "/api/v1/namespaces/default/pods/p1/status,                      '', v1, default, pods, p1, status",
        "/apis/kubevirt.io/v1/virtualmachines,                           kubevirt.io, v1, -, virtualmachines, -, -",
        "/apis/kubevirt.io/v1/namespaces/ns/virtualmachines/vm/status,   kubevirt.io, v1, ns, virtualmachines, vm, status",
        "/apis/storage.k8s.io/v1/storageclasses/fast,                    storage.k8s.io, v1, -, storageclasses, fast, -",
    })
    void parses(String path, String group, String version, String ns, String plural, String name, String sub) {
        assertEquals(Optional.of(new ApiPath(group, version, ns, plural, name, sub)), ApiPath.parse(path));
    }

    @ParameterizedTest
    @CsvSource({"/api", "/apis/kubevirt.io", "/apis/kubevirt.io/v1", "/healthz", "/api/v1/a/b/c/d", "/apis/g/v/namespaces/ns/p/n/s/x"})
    void rejects(String path) {
        assertEquals(Optional.empty(), ApiPath.parse(path));
    }
}
