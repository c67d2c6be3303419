package io.jvirt.api.instancetype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpansionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "spec.template.spec";

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The VMI spec after applying, or the conflicts joined by ", ". */
    private static String expand(String vmiSpec, String instancetype, String preference) {
        ObjectNode spec = json(vmiSpec);
        List<String> conflicts = Expansion.apply(spec, json("{}"), instancetype.isEmpty() ? null : json(instancetype),
                preference.isEmpty() ? null : json(preference), PATH);
        return conflicts.isEmpty() ? spec.toString().replace('"', '\'') : String.join(", ", conflicts);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        csmall onto an empty domain      | {}                                                    | {'cpu':{'guest':1},'memory':{'guest':'128Mi'}} | | {'domain':{'cpu':{'sockets':1,'cores':1,'threads':1},'memory':{'guest':'128Mi'}}}
        four vCPUs become sockets        | {'domain':{}}                                         | {'cpu':{'guest':4},'memory':{'guest':'2Gi'}}   | | {'domain':{'cpu':{'sockets':4,'cores':1,'threads':1},'memory':{'guest':'2Gi'}}}
        preferred cores                  | {'domain':{}}                                         | {'cpu':{'guest':4},'memory':{'guest':'2Gi'}}   | {'cpu':{'preferredCPUTopology':'cores'}} | {'domain':{'cpu':{'sockets':1,'cores':4,'threads':1},'memory':{'guest':'2Gi'}}}
        the same guest memory is no conflict | {'domain':{'memory':{'guest':'128Mi'}}}           | {'cpu':{'guest':1},'memory':{'guest':'128Mi'}} | | {'domain':{'memory':{'guest':'128Mi'},'cpu':{'sockets':1,'cores':1,'threads':1}}}
        another guest memory conflicts   | {'domain':{'memory':{'guest':'128Mi'}}}               | {'cpu':{'guest':4},'memory':{'guest':'2Gi'}}   | | spec.template.spec.domain.memory.guest
        cpu requests and cores conflict  | {'domain':{'cpu':{'cores':2},'resources':{'requests':{'cpu':'1'}}}} | {'cpu':{'guest':4},'memory':{'guest':'2Gi'}} | | spec.template.spec.domain.resources.requests.cpu, spec.template.spec.domain.cpu.cores
        memory limit conflicts           | {'domain':{'resources':{'limits':{'memory':'1Gi'}}}}  | {'cpu':{'guest':1},'memory':{'guest':'1Gi'}}   | | spec.template.spec.domain.resources.limits.memory
        overcommit lowers the request    | {'domain':{}}                                         | {'cpu':{'guest':1},'memory':{'guest':'1Gi','overcommitPercent':50}} | | {'domain':{'cpu':{'sockets':1,'cores':1,'threads':1},'memory':{'guest':'1Gi'},'resources':{'requests':{'memory':'536870912'}}}}
        node selector conflicts          | {'nodeSelector':{'a':'b'},'domain':{}}                | {'nodeSelector':{'c':'d'},'cpu':{'guest':1},'memory':{'guest':'1Gi'}} | | spec.template.spec.nodeSelector
        preference fills unset buses     | {'domain':{'devices':{'disks':[{'name':'a','disk':{}},{'name':'b','disk':{'bus':'sata'}},{'name':'c'}],'interfaces':[{'name':'n'}]}}} | | {'devices':{'preferredDiskBus':'virtio','preferredInterfaceModel':'e1000'}} | {'domain':{'devices':{'disks':[{'name':'a','disk':{'bus':'virtio'}},{'name':'b','disk':{'bus':'sata'}},{'name':'c','disk':{'bus':'virtio'}}],'interfaces':[{'name':'n','model':'e1000'}]}}}
        preference never overrides       | {'terminationGracePeriodSeconds':0,'domain':{'machine':{'type':'pc'}}} | | {'preferredTerminationGracePeriodSeconds':180,'machine':{'preferredMachineType':'q35'},'firmware':{'preferredUseEfi':true}} | {'terminationGracePeriodSeconds':0,'domain':{'machine':{'type':'pc'},'firmware':{'bootloader':{'efi':{}}}}}
        """)
    void expands(String name, String vmiSpec, String instancetype, String preference, String expected) {
        JsonNode want = expected.startsWith("{") ? json(expected) : null;
        String got = expand(vmiSpec, instancetype == null ? "" : instancetype, preference == null ? "" : preference);
        if (want == null) assertEquals(expected, got);
        else assertEquals(want, json(got));
    }

    @Test
    void conflictMessagesAreKubevirts() {
        assertEquals("VM field(s) spec.template.spec.domain.memory.guest conflicts with selected instance type",
                Expansion.CONFLICT_FORMAT.formatted("spec.template.spec.domain.memory.guest"));
        assertEquals("VMI conflicts with instancetype spec in fields: [spec.domain.cpu.cores, spec.domain.memory.guest]",
                Expansion.vmiConflictMessage(List.of("spec.domain.cpu.cores", "spec.domain.memory.guest")));
    }

    @ParameterizedTest
    @CsvSource({
        "'', false, CLUSTER_INSTANCETYPE", "VirtualMachineInstancetype, false, INSTANCETYPE",
        "virtualmachineinstancetypes, false, INSTANCETYPE", "VirtualMachineClusterInstancetype, false, CLUSTER_INSTANCETYPE",
        "'', true, CLUSTER_PREFERENCE", "VirtualMachinePreference, true, PREFERENCE", "virtualmachineclusterpreference, true, CLUSTER_PREFERENCE"})
    void matcherKinds(String kind, boolean preference, SizeKind expected) {
        assertEquals(expected, SizeKind.ofMatcher(kind, preference));
    }

    @Test
    void unknownMatcherKindsGetKubevirtsMessage() {
        assertEquals("got unexpected kind in InstancetypeMatcher: VirtualMachinePreference",
                assertThrows(IllegalArgumentException.class, () -> SizeKind.ofMatcher("VirtualMachinePreference", false)).getMessage());
        assertEquals("virtualmachineinstancetypes.instancetype.kubevirt.io \"x\" not found", SizeKind.INSTANCETYPE.notFound("x"));
    }

    @Test
    void theCommonBundleHasThePublishedUniversalSizes() {
        List<ObjectNode> types = CommonInstancetypes.instancetypes();
        ObjectNode small = types.stream().filter(t -> t.path("metadata").path("name").asText().equals("u1.small")).findFirst().orElseThrow();
        assertEquals(json("{'cpu':{'guest':1},'memory':{'guest':'2Gi'}}"), small.path("spec"));
        assertEquals(10, types.stream().filter(t -> t.path("metadata").path("name").asText().startsWith("u1.")).count());
        assertEquals(types.size(), types.stream().map(t -> t.path("metadata").path("name").asText()).distinct().count());
        assertEquals(true, CommonInstancetypes.preferences().stream().anyMatch(p -> p.path("metadata").path("name").asText().equals("fedora")));
    }
}
