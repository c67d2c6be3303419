package io.jvirt.virtctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code virtctl create vm} with instancetype and preference flags, {@code create instancetype}, {@code create preference}. */
class CreateInstancetypeTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        a cluster instancetype, no memory        | create vm --name v --instancetype u1.small --volume-containerdisk src:img | /spec/instancetype   | {"name":"u1.small"}
        no guest memory beside it                | create vm --name v --instancetype u1.small --volume-containerdisk src:img | /spec/template/spec/domain/memory | null
        no preference inferred from a containerDisk | create vm --name v --instancetype u1.small --volume-containerdisk src:img | /spec/preference | null
        namespaced kinds                         | create vm --name v --instancetype virtualmachineinstancetype/demo --preference virtualmachinepreference/p | /spec/preference | {"name":"p","kind":"virtualmachinepreference"}
        implicit inference from a PVC            | create vm --name v --volume-pvc src:disk,name:disk                                  | /spec/instancetype   | {"inferFromVolume":"disk","inferFromVolumeFailurePolicy":"IgnoreInferFromVolumeFailure"}
        implicit inference keeps the memory      | create vm --name v --volume-pvc src:disk,name:disk                                  | /spec/template/spec/domain/memory/guest | "512Mi"
        explicit inference drops the memory      | create vm --name v --volume-pvc src:disk,name:disk --infer-instancetype             | /spec/template/spec/domain/memory | null
        explicit inference from a named volume   | create vm --name v --volume-pvc src:a,name:a --volume-pvc src:b,name:b --infer-preference-from b | /spec/preference | {"inferFromVolume":"b"}
        memory turns inference off               | create vm --name v --volume-pvc src:disk,name:disk --memory 1Gi                     | /spec/instancetype   | null
        an instancetype                          | create instancetype --name it --cpu 2 --memory 256Mi                      |                      | {"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachineClusterInstancetype","metadata":{"name":"it"},"spec":{"cpu":{"guest":2},"memory":{"guest":"256Mi"}}}
        a namespaced instancetype with a GPU     | create instancetype --name it --namespaced --cpu 1 --memory 1Gi --gpu name:g,devicename:nvidia --iothreadspolicy auto | | {"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachineInstancetype","metadata":{"name":"it"},"spec":{"cpu":{"guest":1},"memory":{"guest":"1Gi"},"gpus":[{"name":"g","deviceName":"nvidia"}],"ioThreadsPolicy":"auto"}}
        a preference                             | create preference --name p --namespaced --cpu-topology cores --machine-type q35 | | {"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachinePreference","metadata":{"name":"p"},"spec":{"cpu":{"preferredCPUTopology":"cores"},"machine":{"preferredMachineType":"q35"}}}
        """)
    void manifests(String name, String args, String pointer, String expected) throws Exception {
        JsonNode out = YAML.readTree(CreateVmTest.run(args.split(" ")));
        JsonNode at = pointer == null ? out : out.at(pointer);
        assertEquals(YAML.readTree(expected), at.isMissingNode() ? YAML.readTree("null") : at);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        memory and instancetype      | create vm --memory 1Gi --instancetype u1.small                 | if any flags in the group [memory instancetype infer-instancetype infer-instancetype-from] are set none of the others can be; [instancetype memory] were all set
        an unknown kind              | create vm --instancetype foo/u1.small                          | invalid instancetype kind "foo", supported values are: virtualmachineinstancetype, virtualmachineclusterinstancetype
        explicit inference from a containerDisk | create vm --infer-instancetype --volume-containerdisk src:img | inference of instancetype or preference works only with DataSources, DataVolumes or PersistentVolumeClaims
        no volume to infer from      | create vm --infer-preference-from disk                          | there is no volume with name 'disk'
        zero CPUs                    | create instancetype --cpu 0 --memory 1Gi                        | cpu value must be greater than zero
        a GPU without a device       | create instancetype --cpu 1 --memory 1Gi --gpu name:g           | deviceName must be specified
        a bad topology               | create preference --cpu-topology rows                           | CPU topology must have a value of sockets, cores, threads, spread or any
        """)
    void badFlags(String name, String args, String message) {
        StringWriter err = new StringWriter();
        CommandLine cl = VirtctlMain.commandLine();
        cl.setErr(new PrintWriter(err));
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = cl.execute(args.split(" "));
        } finally {
            System.setOut(stdout);
        }
        assertEquals(1, exit, err.toString());
        assertTrue(err.toString().contains(message), err.toString());
    }
}
