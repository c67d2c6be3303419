package io.jvirt.apiserver.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.resources.BundledCrds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldDescriptionsTest {
    @Test
    void everyDescribedFieldExistsInTheBundledSchemas() throws Exception {
        List<String> missing = new ArrayList<>();
        List<String> described = new ArrayList<>();
        for (ObjectNode crd : BundledCrds.load()) {
            String kind = crd.path("spec").path("names").path("kind").asText();
            ObjectNode schema = (ObjectNode) crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema").deepCopy();
            missing.addAll(FieldDescriptions.bundled().apply(kind, schema));
            if (FieldDescriptions.bundled().kinds().contains(kind)) described.add(kind);
            if (kind.equals("VirtualMachine")) {
                String text = schema.path("properties").path("spec").path("properties").path("runStrategy").path("description").asText();
                assertTrue(text.contains("RerunOnFailure"), text);
                String disk = schema.at("/properties/spec/properties/template/properties/spec/properties/domain/properties/devices/properties/disks/items/properties/bootOrder/description").asText();
                assertTrue(disk.contains("boot"), "array items are entered: " + disk);
            }
        }
        assertEquals(List.of(), missing, "descriptions whose field the schema lacks");
        assertTrue(described.containsAll(List.of("VirtualMachine", "VirtualMachineInstance", "VirtualMachineInstanceReplicaSet")), described.toString());
    }
}
