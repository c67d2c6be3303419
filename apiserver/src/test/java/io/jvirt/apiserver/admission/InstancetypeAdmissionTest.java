package io.jvirt.apiserver.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.store.ObjectKey;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The VM instancetype admission against a real store holding an instancetype, a preference and labelled PVCs. */
class InstancetypeAdmissionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ResourceType VM = new ResourceType("kubevirt.io", "v1", "VirtualMachine", "virtualmachines", "virtualmachine",
            true, List.of(), List.of(), null, List.of(), true, null, false, "v1");
    private static Path dir;
    private static SqliteStore store;

    @BeforeAll
    static void open() throws Exception {
        dir = Files.createTempDirectory("instancetype-admission");
        store = SqliteStore.open(StoreConfig.defaults(dir.resolve("objects.db")));
        put(new ObjectKey("instancetype.kubevirt.io", "virtualmachineinstancetypes", "ns", "small"),
                "{'metadata':{'name':'small','namespace':'ns'},'spec':{'cpu':{'guest':2},'memory':{'guest':'256Mi'}}}");
        put(ObjectKey.cluster("instancetype.kubevirt.io", "virtualmachineclusterpreferences", "fedora"),
                "{'metadata':{'name':'fedora'},'spec':{'devices':{'preferredDiskBus':'virtio'},'machine':{'preferredMachineType':'pc-q35-9.2'}}}");
        put(new ObjectKey("", "persistentvolumeclaims", "ns", "labelled"),
                "{'metadata':{'name':'labelled','namespace':'ns','labels':{'instancetype.kubevirt.io/default-instancetype':'small',"
                        + "'instancetype.kubevirt.io/default-instancetype-kind':'VirtualMachineInstancetype','instancetype.kubevirt.io/default-preference':'fedora'}}}");
        put(new ObjectKey("", "persistentvolumeclaims", "ns", "plain"), "{'metadata':{'name':'plain','namespace':'ns'}}");
    }

    @AfterAll
    static void close() throws Exception {
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void put(ObjectKey key, String json) {
        store.create(key, json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    /** A VM in namespace ns with {@code spec} merged in (single quotes for double). */
    private static ObjectNode vm(String spec) throws Exception {
        ObjectNode vm = (ObjectNode) JSON.readTree(("{'apiVersion':'kubevirt.io/v1','kind':'VirtualMachine','metadata':{'name':'v','namespace':'ns'},"
                + "'spec':{'runStrategy':'Halted','template':{'spec':{'domain':{'devices':{}},'volumes':[{'name':'root','persistentVolumeClaim':"
                + "{'claimName':'labelled'}},{'name':'other','persistentVolumeClaim':{'claimName':'plain'}},{'name':'cd','containerDisk':{'image':'x'}}]}}}}")
                .replace('\'', '"'));
        ((ObjectNode) vm.get("spec")).setAll((ObjectNode) JSON.readTree(spec.replace('\'', '"')));
        return vm;
    }

    private static String validate(ObjectNode vm) {
        List<Cause> causes = new InstancetypeRules(store).validate(new AdmissionRequest(Operation.CREATE, VM, null, vm, null, "u", false));
        return causes.stream().map(c -> c.field() + ": " + c.message()).collect(Collectors.joining("; "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        a namespaced instancetype      | {'instancetype':{'kind':'VirtualMachineInstancetype','name':'small'}} |
        a cluster preference by default | {'preference':{'name':'fedora'}} |
        a missing instancetype         | {'instancetype':{'kind':'VirtualMachineInstancetype','name':'large'}} | spec.instancetype: Failure to find instancetype: virtualmachineinstancetypes.instancetype.kubevirt.io "large" not found
        a missing cluster instancetype | {'instancetype':{'name':'small'}} | spec.instancetype: Failure to find instancetype: virtualmachineclusterinstancetypes.instancetype.kubevirt.io "small" not found
        a missing preference           | {'preference':{'kind':'VirtualMachinePreference','name':'fedora'}} | spec.preference: Failure to find preference: virtualmachinepreferences.instancetype.kubevirt.io "fedora" not found
        an unknown kind                | {'instancetype':{'kind':'Flavor','name':'small'}} | spec.instancetype: Failure to find instancetype: got unexpected kind in InstancetypeMatcher: Flavor
        a missing revision             | {'instancetype':{'kind':'VirtualMachineInstancetype','name':'small','revisionName':'gone'}} | spec.instancetype: Failure to find instancetype: controllerrevisions.apps "gone" not found
        """)
    void findsWhatTheVmNames(String name, String spec, String expected) throws Exception {
        assertEquals(expected == null ? "" : expected, validate(vm(spec)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        the same memory is accepted | {'memory':{'guest':'256Mi'}} |
        other memory conflicts      | {'memory':{'guest':'1Gi'}}   | spec.template.spec.domain.memory.guest: VM field(s) spec.template.spec.domain.memory.guest conflicts with selected instance type
        cores conflict              | {'cpu':{'cores':4}}          | spec.template.spec.domain.cpu.cores: VM field(s) spec.template.spec.domain.cpu.cores conflicts with selected instance type
        """)
    void refusesConflicts(String name, String domain, String expected) throws Exception {
        ObjectNode vm = vm("{'instancetype':{'kind':'VirtualMachineInstancetype','name':'small'}}");
        ((ObjectNode) vm.at("/spec/template/spec/domain")).setAll((ObjectNode) JSON.readTree(domain.replace('\'', '"')));
        assertEquals(expected == null ? "" : expected, validate(vm));
    }

    private static ObjectNode mutate(ObjectNode vm) {
        new InstancetypeMatchers(store).mutate(new AdmissionRequest(Operation.CREATE, VM, null, vm, null, "u", false));
        return vm;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        an instancetype from the PVC's labels | {'instancetype':{'inferFromVolume':'root'}} | /spec/instancetype | {'name':'small','kind':'VirtualMachineInstancetype'}
        a preference from the PVC's labels    | {'preference':{'inferFromVolume':'root'}}   | /spec/preference   | {'name':'fedora','kind':'virtualmachineclusterpreference'}
        a named matcher gets the cluster kind | {'instancetype':{'name':'u1.small'}}        | /spec/instancetype | {'name':'u1.small','kind':'virtualmachineclusterinstancetype'}
        the preference's machine type         | {'preference':{'name':'fedora'}}            | /spec/template/spec/domain/machine | {'type':'pc-q35-9.2'}
        an ignored failure drops the matcher  | {'instancetype':{'inferFromVolume':'cd','inferFromVolumeFailurePolicy':'IgnoreInferFromVolumeFailure'}} | /spec/instancetype | null
        """)
    void infers(String name, String spec, String pointer, String expected) throws Exception {
        ObjectNode vm = mutate(vm(spec));
        assertEquals(JSON.readTree(expected.replace('\'', '"')), vm.at(pointer).isMissingNode() ? JSON.readTree("null") : vm.at(pointer));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        neither name nor volume   | {'instancetype':{'kind':'VirtualMachineInstancetype'}} | 422 | Either Name or InferFromVolume should be provided within the instancetype matcher
        both name and volume      | {'preference':{'name':'a','inferFromVolume':'root'}}   | 422 | Name should not be provided when InferFromVolume is used within the preference matcher
        a bad failure policy      | {'instancetype':{'inferFromVolume':'root','inferFromVolumeFailurePolicy':'Maybe'}} | 422 | Invalid value 'Maybe' for InferFromVolumeFailurePolicy
        a containerDisk           | {'instancetype':{'inferFromVolume':'cd'}}              | 400 | unable to infer defaults from volume cd as type is not supported
        a PVC without the label   | {'instancetype':{'inferFromVolume':'other'}}           | 400 | unable to find required instancetype.kubevirt.io/default-instancetype label on the volume
        no such volume            | {'preference':{'inferFromVolume':'nope'}}              | 400 | unable to find volume nope to infer defaults
        """)
    void refusesMatchers(String name, String spec, int code, String message) throws Exception {
        ApiException e = assertThrows(ApiException.class, () -> mutate(vm(spec)));
        assertEquals(code, e.code());
        assertEquals("admission webhook \"virtualmachines-mutator.kubevirt.io\" denied the request: " + message, e.getMessage());
    }
}
