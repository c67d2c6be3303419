package io.jvirt.apiserver.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.resources.ResourceType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** KubeVirt's VMI/VM validation: each rule's message and field, and every upstream example passing. */
class VmiSpecRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OK_DOMAIN = "\"domain\":{\"memory\":{\"guest\":\"128Mi\"},\"devices\":{\"disks\":[{\"name\":\"d\"}]}}";
    private static final String OK_VOLUMES = "\"volumes\":[{\"name\":\"d\",\"containerDisk\":{\"image\":\"x\"}}]";

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
    void duplicateDiskNames(String kind, String disks, String expected) {
        ObjectNode spec = JSON.createObjectNode();
        var arr = spec.putObject("domain").putObject("devices").putArray("disks");
        for (String d : disks.split(",")) arr.addObject().put("name", d);
        List<Cause> causes = new ArrayList<>();
        VmiSpecRules.uniqueNames(spec, kind.equals("VirtualMachine") ? "spec.template.spec" : "spec", causes);
        assertEquals(expected, String.join(";", causes.stream().map(c -> c.field().replace(".name", "") + ":" + c.message()).toList()));
        causes.forEach(c -> assertEquals("FieldValueDuplicate", c.reason()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        valid                    | {OK_DOMAIN,OK_VOLUMES}                                                                                                         | ''
        disk without volume      | {OK_DOMAIN,"volumes":[]}                                                                                                       | spec.domain.devices.disks[0].name=spec.domain.devices.disks[0].Name 'd' not found.
        duplicate volumes        | {OK_DOMAIN,"volumes":[{"name":"d","containerDisk":{"image":"x"}},{"name":"d","emptyDisk":{"capacity":"1Gi"}}]}                | spec.volumes[1].name=spec.volumes[1] and spec.volumes[0] must not have the same Name.
        two sources              | {OK_DOMAIN,"volumes":[{"name":"d","containerDisk":{"image":"x"},"emptyDisk":{"capacity":"1Gi"}}]}                              | spec.volumes[0]=spec.volumes[0] must have exactly one source type set
        no source                | {OK_DOMAIN,"volumes":[{"name":"d"}]}                                                                                           | spec.volumes[0]=spec.volumes[0] must have exactly one source type set
        no memory                | {"domain":{"devices":{"disks":[{"name":"d"}]}},OK_VOLUMES}                                                                     | spec.domain.resources.requests.memory=no memory requested, at least one of 'spec.domain.memory.guest', 'spec.domain.memory.hugepages.pageSize' or 'spec.domain.resources.requests.memory' must be set
        memory by request        | {"domain":{"resources":{"requests":{"memory":"64M"}},"devices":{"disks":[{"name":"d"}]}},OK_VOLUMES}                         | ''
        interface without net   | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d"}],"interfaces":[{"name":"n","masquerade":{}}]}},OK_VOLUMES} | spec.domain.devices.interfaces[0].name=spec.domain.devices.interfaces[0].name 'n' not found.
        duplicate boot order     | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d","bootOrder":1},{"name":"e","bootOrder":1}]}},"volumes":[{"name":"d","containerDisk":{"image":"x"}},{"name":"e","emptyDisk":{"capacity":"1Gi"}}]} | spec.domain.devices.disks[1].bootOrder=Boot order for spec.domain.devices.disks[1].bootOrder already set for a different device.
        boot order zero          | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d","bootOrder":0}]}},OK_VOLUMES}                              | spec.domain.devices.disks[0].bootOrder=spec.domain.devices.disks[0] must have a boot order > 0, if supplied
        bad base64 user data     | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"c"}]}},"volumes":[{"name":"c","cloudInitNoCloud":{"userDataBase64":"%%%"}}]} | spec.volumes[0].cloudInitNoCloud.userDataBase64=spec.volumes[0].cloudInitNoCloud.userDataBase64 is not a valid base64 value.
        """)
    void ruleMessagesAndFields(String rule, String specJson, String expected) throws Exception {
        JsonNode spec = JSON.readTree(specJson.replace("OK_DOMAIN", OK_DOMAIN).replace("OK_VOLUMES", OK_VOLUMES));
        assertEquals(expected, causes("VirtualMachineInstance", JSON.createObjectNode().set("spec", spec)));
    }

    @ParameterizedTest(name = "{0} bytes of user data")
    @CsvSource(delimiter = '|', value = {"2048 | ''",
        "2049 | spec.volumes[0].cloudInitNoCloud=spec.volumes[0].cloudInitNoCloud userdata exceeds 2048 byte limit. Should use UserDataSecretRef for larger data."})
    void cloudInitUserDataLimit(int bytes, String expected) throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree("{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"devices\":{\"disks\":[{\"name\":\"c\"}]}},\"volumes\":[{\"name\":\"c\",\"cloudInitNoCloud\":{}}]}");
        ((ObjectNode) spec.path("volumes").get(0).path("cloudInitNoCloud")).put("userData", "x".repeat(bytes));
        assertEquals(expected, causes("VirtualMachineInstance", JSON.createObjectNode().set("spec", spec)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        running and runStrategy  | {"running":true,"runStrategy":"Always"} | spec.running=Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead
        unknown runStrategy      | {"runStrategy":"Sometimes"}             | spec.runStrategy=Invalid RunStrategy (Sometimes)
        running only             | {"running":false}                       | ''
        """)
    void virtualMachineRunStrategy(String rule, String vmSpec, String expected) throws Exception {
        ObjectNode vm = JSON.createObjectNode();
        ObjectNode spec = (ObjectNode) JSON.readTree(vmSpec);
        spec.putObject("template").set("spec", JSON.readTree("{" + OK_DOMAIN + "," + OK_VOLUMES + "}"));
        vm.set("spec", spec);
        assertEquals(expected, causes("VirtualMachine", vm));
    }

    @ParameterizedTest
    @CsvSource({"kubevirt.io/nodeName, 1", "kubevirt.io/created-by, 1", "kubevirt.io/vm, 0", "app, 0"})
    void reservedLabelsOnVmiCreate(String label, int expected) throws Exception {
        ObjectNode vmi = JSON.createObjectNode();
        vmi.putObject("metadata").putObject("labels").put(label, "x");
        vmi.set("spec", JSON.readTree("{" + OK_DOMAIN + "," + OK_VOLUMES + "}"));
        List<Cause> causes = new VmiSpecRules().validate(new AdmissionRequest(Operation.CREATE, type("VirtualMachineInstance"), null, vmi, null, "u", false));
        assertEquals(expected, causes.size(), causes.toString());
        causes.forEach(c -> assertEquals("creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited", c.message()));
    }

    static Stream<Path> examples() throws Exception {
        Path dir = Path.of(System.getProperty("jvirt.reference.dir", "../shared/reference")).resolve("kubevirt-examples");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyUpstreamExamplePasses(Path file) throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
                String kind = doc.path("kind").asText();
                if (!doc.path("apiVersion").asText().startsWith("kubevirt.io/") || !List.of("VirtualMachine", "VirtualMachineInstance",
                        "VirtualMachineInstanceReplicaSet").contains(kind)) {
                    continue;
                }
                assertEquals("", causes(kind, (ObjectNode) doc), file.getFileName() + " " + kind);
            }
        }
    }

    private static String causes(String kind, ObjectNode object) {
        List<Cause> causes = new VmiSpecRules().validate(new AdmissionRequest(Operation.CREATE, type(kind), null, object, null, "u", false));
        return String.join(";", causes.stream().map(c -> c.field() + "=" + c.message()).toList());
    }
}
