package io.jvirt.apiserver.admission;

import io.jvirt.api.ExampleDirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.jvirt.apiserver.admission.VmiSpecRules.Target;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.resources.ResourceType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KubeVirt's VMI/VM/VMIRS validation: each rule's cause type, field and message (KubeVirt's wording, from its
 * admitters), the operations each webhook sees, and every example passing (ours; KubeVirt's in the conformance run).
 */
class VmiSpecRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A valid VMI spec: 128Mi, one containerDisk. */
    private static final String SPEC = "{\"domain\":{\"memory\":{\"guest\":\"128Mi\"},\"devices\":{\"disks\":[{\"name\":\"d\"}]}},"
            + "\"volumes\":[{\"name\":\"d\",\"containerDisk\":{\"image\":\"x\"}}]}";

    static ResourceType type(String kind) {
        return new ResourceType("kubevirt.io", "v1", kind, kind.toLowerCase() + "s", kind.toLowerCase(), true, List.of(), List.of(),
                null, List.of(), true, null, false, "v1");
    }

    /** Kept from UniqueDiskNamesTest: the message and field of duplicate disk names, VMI and VM. */
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
        VmiSpecRules.disks(spec, kind.equals("VirtualMachine") ? "spec.template.spec" : "spec", causes);
        assertEquals(expected, String.join(";", causes.stream().map(c -> c.field().replace(".name", "") + ":" + c.message()).toList()));
        causes.forEach(c -> assertEquals("FieldValueInvalid", c.reason(), "KubeVirt's disks.go reports duplicate disks as invalid"));
    }

    /**
     * One row per rule: a VMI spec (SPEC is the valid one; {@code $}-fields are spliced into it) → the causes as
     * {@code reason field: message}, joined by {@code ;}.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        valid                        | {SPEC}                                                                                                                  | ''
        disk without volume          | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d"}]}},"volumes":[]}                                  | FieldValueInvalid spec.domain.devices.disks[0].name: spec.domain.devices.disks[0].Name 'd' not found.
        empty CD-ROM                 | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"c","cdrom":{}}]}}}                                    | FieldValueInvalid spec.domain.devices.disks[0].name: DeclarativeHotplugVolumes feature gate not enabled, cannot define an empty CD-ROM disk
        two target types             | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d","disk":{},"cdrom":{}}]}},"volumes":[{"name":"d","containerDisk":{"image":"x"}}]} | FieldValueInvalid spec.domain.devices.disks[0]: spec.domain.devices.disks[0] can only have a single target type defined
        duplicate volumes            | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d"}]}},"volumes":[{"name":"d","containerDisk":{"image":"x"}},{"name":"d","emptyDisk":{"capacity":"1Gi"}}]} | FieldValueInvalid spec.volumes[1].name: spec.volumes[1] and spec.volumes[0] must not have the same Name.
        duplicate volumes, 3 alike   | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d"}]}},"volumes":[{"name":"d","emptyDisk":{}},{"name":"d","emptyDisk":{}},{"name":"d","emptyDisk":{}}]} | FieldValueInvalid spec.volumes[1].name: spec.volumes[1] and spec.volumes[0] must not have the same Name.;FieldValueInvalid spec.volumes[2].name: spec.volumes[2] and spec.volumes[0] must not have the same Name.
        two sources                  | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d"}]}},"volumes":[{"name":"d","containerDisk":{"image":"x"},"emptyDisk":{"capacity":"1Gi"}}]} | FieldValueInvalid spec.volumes[0]: spec.volumes[0] must have exactly one source type set
        no source                    | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d"}]}},"volumes":[{"name":"d"}]}                     | FieldValueInvalid spec.volumes[0]: spec.volumes[0] must have exactly one source type set
        two serviceAccounts          | {"domain":{"memory":{"guest":"1Gi"}},"volumes":[{"name":"a","serviceAccount":{"serviceAccountName":"x"}},{"name":"b","serviceAccount":{"serviceAccountName":"y"}}]} | FieldValueInvalid spec.volumes: spec.volumes must have max one serviceAccount volume set
        serviceAccount without name  | {"domain":{"memory":{"guest":"1Gi"}},"volumes":[{"name":"a","serviceAccount":{}}]} | FieldValueInvalid spec.volumes[0].serviceAccount.serviceAccountName: spec.volumes[0].serviceAccount.serviceAccountName is a required field
        dataVolume without name      | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d"}]}},"volumes":[{"name":"d","dataVolume":{}}]}     | FieldValueRequired spec.volumes[0].name: DataVolume 'name' must be set
        no memory                    | {"domain":{"devices":{"disks":[{"name":"d"}]}},"volumes":[{"name":"d","containerDisk":{"image":"x"}}]}                | FieldValueRequired null: no memory requested, at least one of 'spec.domain.memory.guest', 'spec.domain.memory.hugepages.pageSize' or 'spec.domain.resources.requests.memory' must be set
        memory by request            | {"domain":{"resources":{"requests":{"memory":"64M"}},"devices":{}}}                                                    | ''
        memory by limit              | {"domain":{"resources":{"limits":{"memory":"64M"}},"devices":{}}}                                                      | ''
        memory by hugepages          | {"domain":{"memory":{"hugepages":{"pageSize":"2Mi"}},"devices":{}}}                                                    | ''
        duplicate networks           | {"domain":{"memory":{"guest":"1Gi"},"devices":{"interfaces":[{"name":"n","masquerade":{}}]}},"networks":[{"name":"n","pod":{}},{"name":"n","pod":{}}]} | FieldValueDuplicate spec.networks[1].name: Network with name "n" already exists, every network must have a unique name;FieldValueDuplicate spec.interfaces: more than one interface is connected to a pod network in spec.interfaces
        duplicate interfaces         | {"domain":{"memory":{"guest":"1Gi"},"devices":{"interfaces":[{"name":"n","masquerade":{}},{"name":"n","bridge":{}}]}},"networks":[{"name":"n","pod":{}}]} | FieldValueDuplicate spec.domain.devices.interfaces[1].name: Only one interface can be connected to one specific network
        interface without network    | {"domain":{"memory":{"guest":"1Gi"},"devices":{"interfaces":[{"name":"n","masquerade":{}}]}}}                          | FieldValueInvalid spec.domain.devices.interfaces[0].name: spec.domain.devices.interfaces[0].name 'n' not found.
        network without interface    | {"domain":{"memory":{"guest":"1Gi"},"devices":{}},"networks":[{"name":"n","pod":{}}]}                                  | FieldValueRequired spec.networks[0].name: spec.networks[0].name 'n' not found.
        duplicate disk boot order    | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d","bootOrder":1},{"name":"e","bootOrder":1}]}},"volumes":[{"name":"d","containerDisk":{"image":"x"}},{"name":"e","emptyDisk":{"capacity":"1Gi"}}]} | FieldValueInvalid spec.domain.devices.disks[1].bootOrder: Boot order for spec.domain.devices.disks[1].bootOrder already set for a different device.
        disk and interface boot order| {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d","bootOrder":2}],"interfaces":[{"name":"n","masquerade":{},"bootOrder":2}]}},"networks":[{"name":"n","pod":{}}],"volumes":[{"name":"d","emptyDisk":{}}]} | FieldValueInvalid spec.domain.devices.interfaces[0].bootOrder: Boot order for spec.domain.devices.interfaces[0].bootOrder already set for a different device.
        disk boot order zero         | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"d","bootOrder":0}]}},"volumes":[{"name":"d","emptyDisk":{}}]} | FieldValueInvalid spec.domain.devices.disks[0].bootOrder: spec.domain.devices.disks[0] must have a boot order > 0, if supplied
        interface boot order zero    | {"domain":{"memory":{"guest":"1Gi"},"devices":{"interfaces":[{"name":"n","masquerade":{},"bootOrder":0}]}},"networks":[{"name":"n","pod":{}}]} | FieldValueInvalid spec[0].bootOrder: spec[0] must have a boot order > 0, if supplied
        bad base64 user data         | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"c"}]}},"volumes":[{"name":"c","cloudInitNoCloud":{"userDataBase64":"%%%"}}]} | FieldValueInvalid spec.volumes[0].cloudInitNoCloud.userDataBase64: spec.volumes[0].cloudInitNoCloud.userDataBase64.cloudInitNoCloud.userDataBase64 is not a valid base64 value.
        two user data sources        | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"c"}]}},"volumes":[{"name":"c","cloudInitConfigDrive":{"userData":"a","userDataSecretRef":{"name":"s"}}}]} | FieldValueInvalid spec.volumes[0].cloudInitConfigDrive: spec.volumes[0].cloudInitConfigDrive must have only one userdatasource set.
        empty cloud-init             | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"c"}]}},"volumes":[{"name":"c","cloudInitNoCloud":{}}]} | FieldValueInvalid spec.volumes[0].cloudInitNoCloud: spec.volumes[0].cloudInitNoCloud must have at least one userdatasource or one networkdatasource set.
        network data only            | {"domain":{"memory":{"guest":"1Gi"},"devices":{"disks":[{"name":"c"}]}},"volumes":[{"name":"c","cloudInitNoCloud":{"networkData":"version: 2"}}]} | ''
        """)
    void vmiRules(String rule, String specJson, String expected) throws Exception {
        ObjectNode vmi = JSON.createObjectNode();
        vmi.set("spec", JSON.readTree(specJson.replace("{SPEC}", SPEC)));
        assertEquals(expected, causes(Target.VMI, vmi));
    }

    /** Plain text counts in UTF-8 bytes, base64 decoded; both limits 2048 bytes; the message names the SecretRef to use. */
    @ParameterizedTest(name = "{0} {1} bytes")
    @CsvSource(delimiter = '|', value = {
        "userData          | 2048 | ''",
        "userData          | 2049 | FieldValueInvalid spec.volumes[0].cloudInitNoCloud: spec.volumes[0].cloudInitNoCloud userdata exceeds 2048 byte limit. Should use UserDataSecretRef for larger data.",
        "userDataBase64    | 2048 | ''",
        "userDataBase64    | 2049 | FieldValueInvalid spec.volumes[0].cloudInitNoCloud: spec.volumes[0].cloudInitNoCloud userdata exceeds 2048 byte limit. Should use UserDataSecretRef for larger data.",
        "networkData       | 2049 | FieldValueInvalid spec.volumes[0].cloudInitNoCloud: spec.volumes[0].cloudInitNoCloud networkdata exceeds 2048 byte limit. Should use NetworkDataSecretRef for larger data.",
        "networkDataBase64 | 2049 | FieldValueInvalid spec.volumes[0].cloudInitNoCloud: spec.volumes[0].cloudInitNoCloud networkdata exceeds 2048 byte limit. Should use NetworkDataSecretRef for larger data.",
    })
    void cloudInitSizeLimit(String field, int bytes, String expected) throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree("{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"devices\":{\"disks\":[{\"name\":\"c\"}]}},"
                + "\"volumes\":[{\"name\":\"c\",\"cloudInitNoCloud\":{}}]}");
        String data = "é".repeat(bytes / 2) + "x".repeat(bytes % 2);
        String value = field.endsWith("Base64") ? java.util.Base64.getEncoder().encodeToString(data.getBytes(java.nio.charset.StandardCharsets.UTF_8)) : data;
        ((ObjectNode) spec.path("volumes").get(0).path("cloudInitNoCloud")).put(field, value);
        ObjectNode vmi = JSON.createObjectNode();
        vmi.set("spec", spec);
        assertEquals(expected, causes(Target.VMI, vmi));
    }

    /** VM rules: a VM's spec fields with SPEC as its template. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        runStrategy                  | {"runStrategy":"Always"}                 | ''
        legacy running               | {"running":false}                        | ''
        running and runStrategy      | {"running":true,"runStrategy":"Always"}  | FieldValueInvalid spec.running: Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead
        neither                      | {}                                       | FieldValueInvalid spec.running: RunStrategy must be specified
        unknown runStrategy          | {"runStrategy":"Sometimes"}              | FieldValueInvalid spec.runStrategy: Invalid RunStrategy (Sometimes)
        WaitAsReceiver without gate  | {"runStrategy":"WaitAsReceiver"}         | FieldValueInvalid spec.runStrategy: Invalid RunStrategy (WaitAsReceiver), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource
        reserved template label      | {"runStrategy":"Halted","template":{"metadata":{"labels":{"kubevirt.io/nodeName":"n"}},"spec":{SPEC}}} | FieldValueNotSupported spec.template.metadata.labels: creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited
        no template                  | {"runStrategy":"Halted","template":null} | FieldValueRequired spec.template: missing virtual machine template.
        template without memory      | {"runStrategy":"Halted","template":{"spec":{"domain":{"devices":{}}}}} | ''
        """)
    void vmRules(String rule, String vmSpec, String expected) throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree(vmSpec.replace("{SPEC}", SPEC));
        if (!spec.has("template")) {
            spec.putObject("template").set("spec", JSON.readTree(SPEC));
        }
        ObjectNode vm = JSON.createObjectNode();
        vm.set("spec", spec);
        assertEquals(expected, causes(Target.VM, vm));
    }

    /** VMIRS: the selector (absent selects nothing, empty selects everything) against the template's labels. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        matchLabels                  | {"matchLabels":{"app":"a"}}                                                   | ''
        matchLabels differ           | {"matchLabels":{"app":"b"}}                                                   | FieldValueInvalid spec.selector: selector does not match labels.
        no selector                  | null                                                                          | FieldValueInvalid spec.selector: selector does not match labels.
        empty selector               | {}                                                                            | ''
        In                           | {"matchExpressions":[{"key":"app","operator":"In","values":["a","b"]}]}       | ''
        NotIn                        | {"matchExpressions":[{"key":"app","operator":"NotIn","values":["a"]}]}        | FieldValueInvalid spec.selector: selector does not match labels.
        Exists and DoesNotExist      | {"matchExpressions":[{"key":"app","operator":"Exists"},{"key":"x","operator":"DoesNotExist"}]} | ''
        bad operator                 | {"matchExpressions":[{"key":"app","operator":"Near"}]}                        | FieldValueInvalid spec.selector: "Near" is not a valid label selector operator
        """)
    void replicaSetSelector(String rule, String selector, String expected) throws Exception {
        ObjectNode rs = (ObjectNode) JSON.readTree("{\"spec\":{\"replicas\":1,\"template\":{\"metadata\":{\"labels\":{\"app\":\"a\"}},\"spec\":" + SPEC + "}}}");
        if (!selector.equals("null")) {
            ((ObjectNode) rs.get("spec")).set("selector", JSON.readTree(selector));
        }
        assertEquals(expected, causes(Target.VMIRS, rs));
    }

    @ParameterizedTest
    @CsvSource({"kubevirt.io/nodeName, 1", "kubevirt.io/created-by, 1", "kubevirt.io/vm, 0", "app, 0"})
    void reservedLabelsOnVmiCreate(String label, int expected) throws Exception {
        ObjectNode vmi = JSON.createObjectNode();
        vmi.putObject("metadata").putObject("labels").put(label, "x");
        vmi.set("spec", JSON.readTree(SPEC));
        List<Cause> causes = new VmiSpecRules(Target.VMI).validate(request(Operation.CREATE, "VirtualMachineInstance", null, vmi));
        assertEquals(expected, causes.size(), causes.toString());
        causes.forEach(c -> assertEquals("creation of the following reserved kubevirt.io/ labels on a VMI object is prohibited", c.message()));
        causes.forEach(c -> assertEquals("metadata.labels", c.field()));
    }

    /** Rules that read the KubeVirt CR's configuration: a VMI spec, the CR's {@code spec.configuration}, the causes. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        q35 emulated                 | {"domain":{"memory":{"guest":"1Gi"},"machine":{"type":"q35"}}}          | {}                                                       | ''
        versioned q35 emulated       | {"domain":{"memory":{"guest":"1Gi"},"machine":{"type":"pc-q35-9.2"}}}   | {}                                                       | ''
        i440fx not emulated          | {"domain":{"memory":{"guest":"1Gi"},"machine":{"type":"pc"}}}           | {}                                                       | FieldValueInvalid spec.domain.machine.type: spec.domain.machine.type is not supported: pc (allowed values: [q35* pc-q35*])
        i440fx emulated by the CR    | {"domain":{"memory":{"guest":"1Gi"},"machine":{"type":"pc"}}}           | {"architectureConfiguration":{"amd64":{"emulatedMachines":["q35*","pc"]}}} | ''
        bridge on the pod network    | {"domain":{"memory":{"guest":"1Gi"},"devices":{"interfaces":[{"name":"default","bridge":{}}]}},"networks":[{"name":"default","pod":{}}]} | {} | ''
        bridge not permitted         | {"domain":{"memory":{"guest":"1Gi"},"devices":{"interfaces":[{"name":"default","bridge":{}}]}},"networks":[{"name":"default","pod":{}}]} | {"network":{"permitBridgeInterfaceOnPodNetwork":false}} | FieldValueInvalid spec.domain.devices.interfaces[0].name: Bridge on pod network configuration is not enabled under kubevirt-config
        masquerade when bridges not  | {"domain":{"memory":{"guest":"1Gi"},"devices":{"interfaces":[{"name":"default","masquerade":{}}]}},"networks":[{"name":"default","pod":{}}]} | {"network":{"permitBridgeInterfaceOnPodNetwork":false}} | ''
        """)
    void clusterConfigRules(String rule, String spec, String config, String expected) throws Exception {
        assertEquals(expected, causesOf(spec, config));
    }

    /** KubeVirt's network rules: one source per network, one pod or multus default network, bindings only the pod network has. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        multus default with bridge    | [{"name":"red","bridge":{}}]                                   | [{"name":"red","multus":{"networkName":"red","default":true}}] | ''
        default and a secondary       | [{"name":"red","bridge":{}},{"name":"blue","bridge":{}}]         | [{"name":"red","multus":{"networkName":"red","default":true}},{"name":"blue","multus":{"networkName":"blue"}}] | ''
        two multus defaults           | [{"name":"red","bridge":{}},{"name":"blue","bridge":{}}]         | [{"name":"red","multus":{"networkName":"red","default":true}},{"name":"blue","multus":{"networkName":"blue","default":true}}] | FieldValueInvalid spec.networks: Multus CNI should only have one default network
        pod and a multus default      | [{"name":"default","masquerade":{}},{"name":"red","bridge":{}}]  | [{"name":"default","pod":{}},{"name":"red","multus":{"networkName":"red","default":true}}] | FieldValueInvalid spec.networks: Pod network cannot be defined when Multus default network is defined
        two pod networks              | [{"name":"a","masquerade":{}},{"name":"b","masquerade":{}}]      | [{"name":"a","pod":{}},{"name":"b","pod":{}}] | FieldValueDuplicate spec.interfaces: more than one interface is connected to a pod network in spec.interfaces
        masquerade on multus default  | [{"name":"red","masquerade":{}}]                               | [{"name":"red","multus":{"networkName":"red","default":true}}] | FieldValueInvalid spec.domain.devices.interfaces[0].name: Masquerade interface only implemented with pod network
        masquerade on a secondary     | [{"name":"default","masquerade":{}},{"name":"blue","masquerade":{}}] | [{"name":"default","pod":{}},{"name":"blue","multus":{"networkName":"blue"}}] | FieldValueInvalid spec.domain.devices.interfaces[1].name: Masquerade interface only implemented with pod network
        passt on multus default       | [{"name":"red","passtBinding":{}}]                             | [{"name":"red","multus":{"networkName":"red","default":true}}] | FieldValueInvalid spec.domain.devices.interfaces[0].name: PasstBinding interface only implemented with pod network
        masquerade on the pod network | [{"name":"default","masquerade":{}}]                           | [{"name":"default","pod":{}}] | ''
        multus without networkName    | [{"name":"blue","bridge":{}}]                                  | [{"name":"blue","multus":{}}] | FieldValueRequired spec.networks[0]: CNI delegating plugin must have a networkName
        no network type               | [{"name":"blue","bridge":{}}]                                  | [{"name":"blue"}] | FieldValueRequired spec.networks[0]: should have a network type
        two network types             | [{"name":"blue","bridge":{}}]                                  | [{"name":"blue","pod":{},"multus":{"networkName":"blue"}}] | FieldValueRequired spec.networks[0]: should have only one network type
        """)
    void networkRules(String rule, String interfaces, String networks, String expected) throws Exception {
        String spec = "{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"devices\":{\"interfaces\":" + interfaces + "}},\"networks\":" + networks + "}";
        assertEquals(expected, causesOf(spec, "{}"));
    }

    /** The causes of validating a VMI with {@code spec} under the KubeVirt CR configuration {@code config}, as one line. */
    private static String causesOf(String spec, String config) throws Exception {
        ObjectNode vmi = JSON.createObjectNode();
        vmi.set("spec", JSON.readTree(spec));
        ClusterConfig cluster = new ClusterConfig(JSON.readTree(config));
        List<Cause> causes = new VmiSpecRules(Target.VMI, () -> cluster).validate(request(Operation.CREATE, "VirtualMachineInstance", null, vmi));
        return String.join(";", causes.stream().map(c -> c.reason() + " " + c.field() + ": " + c.message()).toList());
    }

    /** Annotations behind feature gates jvirt does not offer: KubeVirt's message with the gate off, on a VMI and a VM's template. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
        VMI | hooks.kubevirt.io/hookSidecars | FieldValueInvalid metadata.annotations: sidecar feature gate is not enabled in kubevirt-config, invalid entry metadata.annotations.hooks.kubevirt.io/hookSidecars
        VMI | kubevirt.io/ignitiondata       | FieldValueInvalid metadata.annotations: ExperimentalIgnitionSupport feature gate is not enabled in kubevirt-config, invalid entry metadata.annotations.kubevirt.io/ignitiondata
        VM  | hooks.kubevirt.io/hookSidecars | FieldValueInvalid spec.template.metadata.annotations: sidecar feature gate is not enabled in kubevirt-config, invalid entry spec.template.metadata.annotations.hooks.kubevirt.io/hookSidecars
        VMI | kubevirt.io/other              | ''
        """)
    void gatedAnnotations(Target target, String annotation, String expected) throws Exception {
        ObjectNode object;
        if (target == Target.VMI) {
            object = (ObjectNode) JSON.readTree("{\"spec\":" + SPEC + "}");
            object.putObject("metadata").putObject("annotations").put(annotation, "[{\"image\":\"x\"}]");
        } else {
            object = (ObjectNode) JSON.readTree("{\"spec\":{\"runStrategy\":\"Halted\",\"template\":{\"spec\":" + SPEC + "}}}");
            ((ObjectNode) object.get("spec").get("template")).putObject("metadata").putObject("annotations").put(annotation, "x");
        }
        assertEquals(expected, causes(target, object));
    }

    /** Which webhook sees which write: VMIs on create only, VMs and replica sets on create and update, never subresources or deletes. */
    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "VMI   | VirtualMachineInstance           | CREATE | ''     | true",
        "VMI   | VirtualMachineInstance           | UPDATE | ''     | false",
        "VMI   | VirtualMachineInstance           | CREATE | status | false",
        "VMI   | VirtualMachine                   | CREATE | ''     | false",
        "VM    | VirtualMachine                   | UPDATE | ''     | true",
        "VM    | VirtualMachine                   | UPDATE | status | false",
        "VM    | VirtualMachine                   | DELETE | ''     | false",
        "VMIRS | VirtualMachineInstanceReplicaSet | UPDATE | ''     | true",
        "VMIRS | VirtualMachineInstanceReplicaSet | UPDATE | scale  | false",
    })
    void operations(Target target, String kind, Operation op, String subresource, boolean handled) {
        AdmissionRequest r = request(op, kind, subresource.isEmpty() ? null : subresource, JSON.createObjectNode());
        assertEquals(handled, new VmiSpecRules(target).handles(r));
    }

    @Test
    void vmBeingDeletedIsNotValidated() throws Exception {
        ObjectNode vm = (ObjectNode) JSON.readTree("{\"metadata\":{\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"},\"spec\":{}}");
        assertEquals("", causes(Target.VM, vm));
    }

    /** Through the chain: 422 Invalid, worded like kube-apiserver relaying KubeVirt's webhook, causes in details. */
    @Test
    void chainDeniesWithTheWebhookName() throws Exception {
        AdmissionChain chain = new AdmissionChain();
        VmiSpecRules.all().forEach(chain::addValidating);
        ObjectNode rs = (ObjectNode) JSON.readTree("{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"a\"}},\"spec\":" + SPEC + "}}}");
        ApiException e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> chain.validate(request(Operation.CREATE, "VirtualMachineInstanceReplicaSet", null, rs)));
        assertEquals(422, e.code());
        assertEquals("admission webhook \"virtualmachinereplicaset-validator.kubevirt.io\" denied the request: selector does not match labels.", e.getMessage());
        assertEquals(List.of(new Cause("FieldValueInvalid", "selector does not match labels.", "spec.selector")), e.causes());
    }

    static List<Path> ourExamples() {
        return ExampleDirs.yamlFiles(ExampleDirs.ours());
    }

    static List<Path> kubevirtExamples() {
        return ExampleDirs.yamlFiles(ExampleDirs.kubevirts());
    }

    /** Every VM, VMI and VMIRS of the project's examples is admitted (created, then updated unchanged where updates are validated). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ourExamples")
    void everyExamplePasses(Path file) throws Exception {
        assertAdmitted(file);
    }

    /** The same for KubeVirt's examples (conformance run). */
    @Tag(ExampleDirs.CONFORMANCE)
    @ParameterizedTest(name = "{0}")
    @MethodSource("kubevirtExamples")
    void everyUpstreamExamplePasses(Path file) throws Exception {
        assertAdmitted(file);
    }

    private static void assertAdmitted(Path file) throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        int checked = 0;
        boolean pool = false;
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
                String kind = doc.path("kind").asText();
                pool |= kind.equals("VirtualMachinePool");
                if (!doc.path("apiVersion").asText().startsWith("kubevirt.io/")) {
                    continue;
                }
                for (Target target : Target.values()) {
                    if (!target.kind.equals(kind)) {
                        continue;
                    }
                    checked++;
                    String gated = VmiSpecRules.gatedAnnotation(doc);
                    if (gated != null) {
                        // a feature behind a gate jvirt does not offer (sidecars, ignition): refused with KubeVirt's message
                        assertTrue(causes(target, (ObjectNode) doc).contains(VmiSpecRules.GATED_ANNOTATIONS.get(gated)),
                                file.getFileName() + " " + kind + ": " + causes(target, (ObjectNode) doc));
                        continue;
                    }
                    assertEquals("", causes(target, (ObjectNode) doc), file.getFileName() + " " + kind);
                    if (target.onUpdate) {
                        assertEquals(List.of(), new VmiSpecRules(target).validate(request(Operation.UPDATE, kind, null, (ObjectNode) doc)));
                    }
                }
            }
        }
        if (file.startsWith(ExampleDirs.ours()) && !pool) { // a pool's VM template is not admitted beyond its schema yet
            assertTrue(checked > 0, file + ": the project's examples are all VMs, VMIs or VMIRSs (or pools)");
        }
    }

    private static AdmissionRequest request(Operation op, String kind, String subresource, ObjectNode object) {
        return new AdmissionRequest(op, type(kind), subresource, object, null, "u", false);
    }

    private static String causes(Target target, ObjectNode object) {
        List<Cause> causes = new VmiSpecRules(target).validate(request(Operation.CREATE, target.kind, null, object));
        return String.join(";", causes.stream().map(c -> c.reason() + " " + c.field() + ": " + c.message()).toList());
    }
}
