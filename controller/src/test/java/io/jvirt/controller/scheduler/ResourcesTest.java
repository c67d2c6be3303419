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
}
