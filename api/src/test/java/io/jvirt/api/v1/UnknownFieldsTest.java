package io.jvirt.api.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.api.meta.Quantity;
import org.junit.jupiter.api.Test;

class UnknownFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void unknownFieldsAtEveryLevelSurviveAndKnownOnesAreTyped() throws Exception {
        String text = """
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","futureTop":1,
             "metadata":{"name":"a","uid":"u-1","managedFields":[{"manager":"kubectl"}]},
             "spec":{"domain":{"devices":{"disks":[{"name":"d","disk":{"bus":"sata","futureBus":"x"},"bootOrder":2}],
                                          "rng":{},"tpm":{}},
                               "memory":{"guest":"64Mi","hugepages":{"pageSize":"2Mi"}}},
                     "volumes":[{"name":"d","containerDisk":{"image":"i"},"futureSource":{"k":"v"}}],
                     "hostname":"h"}}
            """;
        VirtualMachineInstance vmi = JSON.readValue(text, VirtualMachineInstance.class);

        assertEquals("sata", vmi.spec().domain().devices().disks().get(0).disk().bus());
        assertEquals(2, vmi.spec().domain().devices().disks().get(0).bootOrder());
        assertEquals(Quantity.parse("64Mi"), vmi.spec().domain().memory().guest());
        assertEquals("x", vmi.spec().domain().devices().disks().get(0).disk().unknown().get("futureBus"));
        assertNull(vmi.status());
        assertEquals(JSON.readTree(text), JSON.readTree(JSON.writeValueAsString(vmi)));
    }
}
