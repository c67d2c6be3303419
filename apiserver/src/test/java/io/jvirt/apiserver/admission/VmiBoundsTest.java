package io.jvirt.apiserver.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.admission.VmiSpecRules.Target;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KubeVirt's quantity and numeric bounds and its feature-gated volumes, through the whole VMI admitter: each row a VMI
 * spec, the enabled feature gates, and the causes (KubeVirt's type, field and message) joined by {@code ;}.
 */
class VmiBoundsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Cause> causes(String spec, String gates) throws Exception {
        ObjectNode vmi = JSON.createObjectNode();
        vmi.set("spec", JSON.readTree(spec.replace('\'', '"')));
        Set<String> enabled = gates == null || gates.isEmpty() ? Set.of() : Set.of(gates.split(","));
        return new VmiSpecRules(Target.VMI, () -> ClusterConfig.withFeatureGates(enabled)).validate(new AdmissionRequest(Operation.CREATE, VmiSpecRulesTest.type("VirtualMachineInstance"),
                null, vmi, null, "admin", false));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        valid                    | {'domain':{'resources':{'requests':{'memory':'64Mi','cpu':'500m'},'limits':{'memory':'1Ei','cpu':2}},'cpu':{'cores':2,'sockets':1,'threads':1}},'terminationGracePeriodSeconds':0} | `` | ``
        negative memory request  | {'domain':{'resources':{'requests':{'memory':'-1'}}}}                   | `` | FieldValueInvalid spec.domain.resources.requests.memory: spec.domain.resources.requests.memory '-1': must be greater than or equal to 0.
        memory request below 1M  | {'domain':{'resources':{'requests':{'memory':'512Ki'}}}}                | `` | FieldValueInvalid spec.domain.resources.requests.memory: spec.domain.resources.requests.memory '512Ki': must be greater than or equal to 1M.
        negative memory limit    | {'domain':{'memory':{'guest':'1Gi'},'resources':{'limits':{'memory':'-2Gi'}}}} | `` | FieldValueInvalid spec.domain.resources.limits.memory: spec.domain.resources.limits.memory '-2Gi': must be greater than or equal to 0.
        memory request > limit   | {'domain':{'resources':{'requests':{'memory':'2Gi'},'limits':{'memory':'1Gi'}}}} | `` | FieldValueInvalid spec.domain.resources.requests.memory: spec.domain.resources.requests.memory '2Gi' is greater than spec.domain.resources.limits.memory '1Gi'
        negative cpu request     | {'domain':{'memory':{'guest':'1Gi'},'resources':{'requests':{'cpu':'-100m'}}}} | `` | FieldValueInvalid spec.domain.resources.requests.cpu: spec.domain.resources.requests.cpu '-100m': must be greater than or equal to 0.
        negative cpu limit       | {'domain':{'memory':{'guest':'1Gi'},'resources':{'limits':{'cpu':-1}}}} | `` | FieldValueInvalid spec.domain.resources.limits.cpu: spec.domain.resources.limits.cpu '-1': must be greater than or equal to 0.
        cpu request > limit      | {'domain':{'memory':{'guest':'1Gi'},'resources':{'requests':{'cpu':'3'},'limits':{'cpu':'2'}}}} | `` | FieldValueInvalid spec.domain.resources.requests.cpu: spec.domain.resources.requests.cpu '3' is greater than spec.domain.resources.limits.cpu '2'
        negative grace period    | {'domain':{'memory':{'guest':'1Gi'}},'terminationGracePeriodSeconds':-5} | `` | FieldValueInvalid spec.terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds '-5': must be greater than or equal to 0.
        hostDisk without gate    | {'domain':{'memory':{'guest':'1Gi'},'devices':{'disks':[{'name':'h'}]}},'volumes':[{'name':'h','hostDisk':{'path':'/d.img','type':'Disk'}}]} | `` | FieldValueInvalid spec.volumes[0]: HostDisk feature gate is not enabled
        hostDisk with gate       | {'domain':{'memory':{'guest':'1Gi'},'devices':{'disks':[{'name':'h'}]}},'volumes':[{'name':'h','hostDisk':{'path':'/d.img','type':'DiskOrCreate'}}]} | HostDisk | ``
        hostDisk without path    | {'domain':{'memory':{'guest':'1Gi'},'devices':{'disks':[{'name':'h'}]}},'volumes':[{'name':'h','hostDisk':{'type':'Disk'}}]} | HostDisk | FieldValueNotFound spec.volumes[0].hostDisk.path: spec.volumes[0].hostDisk.path is required for hostDisk volume
        hostDisk bad type        | {'domain':{'memory':{'guest':'1Gi'},'devices':{'disks':[{'name':'h'}]}},'volumes':[{'name':'h','hostDisk':{'path':'/d','type':'File'}}]} | HostDisk | FieldValueInvalid spec.volumes[0].hostDisk.type: spec.volumes[0].hostDisk.type has invalid value 'File', allowed are 'Disk' or 'DiskOrCreate'
        """)
    void rules(String rule, String spec, String gates, String expected) throws Exception {
        List<Cause> causes = causes(spec, gates);
        assertEquals(expected == null ? "" : expected, String.join(";", causes.stream().map(c -> c.reason() + " " + c.field() + ": " + c.message()).toList()));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
        cores      | -1          | json: cannot unmarshal number -1 into Go struct field CPU.spec.domain.cpu.cores of type uint32
        sockets    | 4294967296  | json: cannot unmarshal number 4294967296 into Go struct field CPU.spec.domain.cpu.sockets of type uint32
        threads    | 1.5         | json: cannot unmarshal number 1.5 into Go struct field CPU.spec.domain.cpu.threads of type uint32
        """)
    void cpuTopologyOutsideUint32IsABadRequest(String field, String value, String message) {
        ApiException e = assertThrows(ApiException.class, () -> causes("{'domain':{'memory':{'guest':'1Gi'},'cpu':{'" + field + "':" + value + "}}}", ""));
        assertEquals(400, e.code());
        assertEquals("admission webhook \"virtualmachineinstances-create-validator.kubevirt.io\" denied the request: " + message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        labels a list         | {'labels':['x']}           | json: cannot unmarshal array into Go struct field ObjectMeta.spec.template.metadata.labels of type map[string]string
        annotation a number   | {'annotations':{'a':1}}    | json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.annotations of type string
        """)
    void templateMetadataOfTheWrongTypeIsABadRequest(String rule, String metadata, String message) throws Exception {
        ObjectNode vm = (ObjectNode) JSON.readTree(("{'spec':{'runStrategy':'Halted','template':{'metadata':" + metadata
                + ",'spec':{'domain':{'memory':{'guest':'1Gi'}}}}}}").replace('\'', '"'));
        ApiException e = assertThrows(ApiException.class, () -> new VmiSpecRules(Target.VM).validate(new AdmissionRequest(Operation.CREATE,
                VmiSpecRulesTest.type("VirtualMachine"), null, vm, null, "admin", false)));
        assertEquals(400, e.code());
        assertEquals("admission webhook \"virtualmachine-validator.kubevirt.io\" denied the request: " + message, e.getMessage());
    }
}
