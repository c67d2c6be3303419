package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.jvirt.handler.pod.PodRefusedException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A launcher pod's multus default-network annotation is run only when it is its VMI's multus default network. */
class DefaultNetworkCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        neither                       | -        | [{"name":"default","pod":{}}]                                   | -
        the VMI's default             | nets/red | [{"name":"red","multus":{"networkName":"nets/red","default":true}}] | -
        a secondary is no default     | blue     | [{"name":"default","pod":{}},{"name":"blue","multus":{"networkName":"blue"}}] | VmiMismatch
        another definition            | nets/evil | [{"name":"red","multus":{"networkName":"nets/red","default":true}}] | VmiMismatch
        the annotation missing        | -        | [{"name":"red","multus":{"networkName":"red","default":true}}]  | VmiMismatch
        """)
    void theAnnotationMustBeTheVmisDefaultNetwork(String name, String annotation, String networks, String refused) throws Exception {
        Pod pod = new PodBuilder().withNewMetadata().withName("virt-launcher-x").withAnnotations(annotation == null ? Map.of()
                : Map.of("v1.multus-cni.io/default-network", annotation)).endMetadata().build();
        String reason = null;
        try {
            VmiAgent.verifyDefaultNetwork(pod, JSON.readTree(networks), "VirtualMachineInstance default/x");
        } catch (PodRefusedException e) {
            reason = e.reason();
        }
        assertEquals(refused, reason);
    }
}
