package io.jvirt.controller.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResourcesTest {
    @ParameterizedTest(name = "cpu {0}, memory {1} -> {2}m, {3} bytes")
    @CsvSource({"100m,128Mi,100,134217728", "2,1Gi,2000,1073741824", "0.5,1G,500,1000000000", "1500m,512Ki,1500,524288"})
    void parsesQuantities(String cpu, String memory, long millis, long bytes) {
        assertEquals(new Resources(millis, bytes), Resources.of(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory))));
    }

    @ParameterizedTest(name = "cpu {0}, memory {1} -> {2}m, {3} bytes")
    @CsvSource({
        "1e100, 1e100, 9223372036854775807, 9223372036854775807",  // beyond a long: fits nowhere, never wraps round
        "1, 1Ei, 1000, 1152921504606846976",
        "1, 16Ei, 1000, 9223372036854775807",                       // binary SI is capped at 2^63-1, as in Kubernetes
        "9223372036854775807, 1E, 9223372036854775807, 1000000000000000000",
        "-1, -1Gi, 0, 0",
        "1n, 1n, 1, 1",                                             // rounded up
    })
    void hugeAndOddQuantitiesAreClampedNotWrapped(String cpu, String memory, long millis, long bytes) {
        assertEquals(new Resources(millis, bytes), Resources.of(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory))));
    }

    @ParameterizedTest
    @CsvSource({"9223372036854775807, 1", "9223372036854775000, 9223372036854775000"})
    void sumsSaturate(long a, long b) {
        assertEquals(new Resources(Long.MAX_VALUE, Long.MAX_VALUE), new Resources(a, a).plus(new Resources(b, b)));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1.5.5", "Mi", "lots"})
    void aRequestThatIsNoQuantityIsAnErrorNamingIt(String memory) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Resources.of(Map.of("memory", new Quantity(memory))));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(memory), e.getMessage());
    }
}
