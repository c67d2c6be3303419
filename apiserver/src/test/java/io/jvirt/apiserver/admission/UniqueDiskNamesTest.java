package io.jvirt.apiserver.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.resources.ResourceType;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UniqueDiskNamesTest {
    static ResourceType type(String kind) {
        return new ResourceType("kubevirt.io", "v1", kind, kind.toLowerCase() + "s", kind.toLowerCase(), true, List.of(), List.of(),
                null, List.of(), true, null, false, "v1");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "VirtualMachineInstance | a,b     | ''",
        "VirtualMachineInstance | a,a     | spec.domain.devices.disks[1]:spec.domain.devices.disks[1] and spec.domain.devices.disks[0] must not have the same Name.",
        "VirtualMachineInstance | a,b,a,b | spec.domain.devices.disks[2]:spec.domain.devices.disks[2] and spec.domain.devices.disks[0] must not have the same Name.;spec.domain.devices.disks[3]:spec.domain.devices.disks[3] and spec.domain.devices.disks[1] must not have the same Name.",
        "VirtualMachine         | x,x     | spec.template.spec.domain.devices.disks[1]:spec.template.spec.domain.devices.disks[1] and spec.template.spec.domain.devices.disks[0] must not have the same Name.",
    })
    void duplicateDiskNames(String kind, String disks, String expected) throws Exception {
        ObjectNode spec = new ObjectMapper().createObjectNode();
        var arr = spec.putObject("domain").putObject("devices").putArray("disks");
        for (String d : disks.split(",")) arr.addObject().put("name", d);
        ObjectNode obj = new ObjectMapper().createObjectNode();
        if (kind.equals("VirtualMachine")) obj.putObject("spec").putObject("template").set("spec", spec);
        else obj.set("spec", spec);
        UniqueDiskNames v = new UniqueDiskNames();
        AdmissionRequest req = new AdmissionRequest(Operation.CREATE, type(kind), null, obj, null, "u", false);
        List<Cause> causes = v.validate(req);
        String got = String.join(";", causes.stream().map(c -> c.field().replace(".name", "") + ":" + c.message()).toList());
        assertEquals(expected, got);
        causes.forEach(c -> assertEquals("FieldValueDuplicate", c.reason()));
    }
}
