package io.jvirt.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KubeVirt's name-derived firmware UUID: a version 5 UUID of the VM name in namespace 6a1a24a1-...; the expected values
 * are Python's {@code uuid.uuid5} of the same namespace and name (an independent implementation of RFC 4122).
 */
class FirmwareTest {
    @ParameterizedTest
    @CsvSource({"vm-cirros, 0d2a2043-41c0-59c3-9b17-025022203668", "testvm, 5a9fc181-957e-5c32-9e5a-2de5e9673531",
            "a, 8d9794ca-8c84-5204-b98a-721424eaae6f"})
    void stableUuidIsVersion5OfTheName(String name, String expected) {
        assertEquals(expected, Firmware.stableUuid(name));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"null, 0d2a2043-41c0-59c3-9b17-025022203668", "'', 0d2a2043-41c0-59c3-9b17-025022203668",
            "5d307ca9-b3ef-428c-8861-06e72d69f223, 5d307ca9-b3ef-428c-8861-06e72d69f223"})
    void aSpecKeepsItsOwnUuid(String uuid, String expected) {
        DomainSpec domain = new DomainSpec(null, null, null, null, new Firmware(null, null, "s", uuid, null), null, null, null, null, null);
        VirtualMachineInstanceSpec spec = new VirtualMachineInstanceSpec(domain, List.of(), null, null, null, null, null, null, null, null, null,
                null, null);
        VirtualMachineInstanceSpec stable = spec.withStableFirmwareUuid("vm-cirros");
        assertEquals(expected, stable.domain().firmware().uuid());
        assertEquals("s", stable.domain().firmware().serial());
        if (uuid != null && !uuid.isEmpty()) assertSame(spec, stable);
    }
}
