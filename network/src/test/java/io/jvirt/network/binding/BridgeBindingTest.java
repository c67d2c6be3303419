package io.jvirt.network.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BridgeBindingTest {
    @ParameterizedTest
    @CsvSource({
        // pod interface | its bridge's DHCP server address (one per bridge in the pod's namespace)
        "eth0,   169.254.75.10",
        "net1,   169.254.75.11",
        "net2,   169.254.75.12",
        "net200, 169.254.75.210",
    })
    void eachPodInterfacesBridgeHasAServerAddressOfItsOwn(String podInterface, String server) {
        assertEquals(server, new BridgeBinding(podInterface).server());
    }

    @ParameterizedTest
    @ValueSource(strings = {"net0", "net201", "eth1", "net01", "k6t-eth0", ""})
    void anyOtherPodInterfaceIsRefused(String podInterface) {
        assertThrows(IllegalArgumentException.class, () -> new BridgeBinding(podInterface));
    }
}
