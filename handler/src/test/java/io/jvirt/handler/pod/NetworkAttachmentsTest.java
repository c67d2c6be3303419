package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkAttachmentsTest {
    @ParameterizedTest
    @CsvSource({"vm-ns, blue, vm-ns, blue", "vm-ns, other/blue, other, blue"})
    void aNetworkNameIsResolvedAgainstThePodsNamespace(String podNamespace, String networkName, String namespace, String name) {
        assertEquals(List.of(namespace, name), List.of(NetworkAttachments.ref(podNamespace, networkName)));
    }
}
