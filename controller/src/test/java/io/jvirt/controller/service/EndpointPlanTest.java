package io.jvirt.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointPlanTest {
    /** A launcher-like pod: labels, an IP, a phase, Ready, a named container port {@code http} = 8080. */
    static Pod pod(String name, String ip, String phase, boolean ready, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("compute").addNewPort().withName("http").withContainerPort(8080)
                .endPort().endContainer().endSpec()
                .withNewStatus().withPodIP(ip).withPhase(phase).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    static Service service(Map<String, String> selector, IntOrString target) {
        return new ServiceBuilder().withNewMetadata().withName("web").withNamespace("ns").withUid("svc-uid").endMetadata()
                .withNewSpec().withSelector(selector).addNewPort().withPort(80).withProtocol("TCP").withTargetPort(target).endPort().endSpec().build();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "a ready running pod          | 10.128.0.5 | Running   | true  | kubevirt.io/vm=web | 10.128.0.5 | true",
        "a pod not ready              | 10.128.0.5 | Running   | false | kubevirt.io/vm=web | 10.128.0.5 | false",
        "a pod without an address     | -          | Pending   | true  | kubevirt.io/vm=web | -          | -",
        "a pod that ended             | 10.128.0.5 | Succeeded | true  | kubevirt.io/vm=web | -          | -",
        "a pod the selector misses    | 10.128.0.5 | Running   | true  | kubevirt.io/vm=db  | -          | -",
        "an IPv6-only pod             | fd00::5    | Running   | true  | kubevirt.io/vm=web | -          | -",
    })
    void whichPodsAreEndpoints(String name, String ip, String phase, boolean ready, String label, String address, Boolean endpointReady) {
        String[] kv = label.split("=");
        Service svc = service(Map.of("kubevirt.io/vm", "web"), new IntOrString(80));
        Map<String, EndpointSlice> slices = EndpointPlan.slices(svc, List.of(pod("p1", ip, phase, ready, Map.of(kv[0], kv[1], "other", "x"))));
        if (address == null) {
            assertEquals(Map.of(), slices);
            assertEquals(List.of(), EndpointPlan.endpoints(svc, List.of(pod("p1", ip, phase, ready, Map.of(kv[0], kv[1])))).getSubsets());
            return;
        }
        EndpointSlice slice = slices.values().iterator().next();
        assertEquals(List.of(address), slice.getEndpoints().getFirst().getAddresses());
        assertEquals(endpointReady, slice.getEndpoints().getFirst().getConditions().getReady());
        assertEquals("Pod", slice.getEndpoints().getFirst().getTargetRef().getKind());
        assertEquals(Map.of(EndpointPlan.SERVICE_NAME, "web", EndpointPlan.MANAGED_BY, EndpointPlan.MANAGER), slice.getMetadata().getLabels());
        assertEquals("svc-uid", slice.getMetadata().getOwnerReferences().getFirst().getUid());
        var subset = EndpointPlan.endpoints(svc, List.of(pod("p1", ip, phase, ready, Map.of(kv[0], kv[1])))).getSubsets().getFirst();
        assertEquals(endpointReady ? 1 : 0, subset.getAddresses().size());
        assertEquals(endpointReady ? 0 : 1, subset.getNotReadyAddresses().size());
    }

    @ParameterizedTest(name = "targetPort {0} → {1}")
    @CsvSource(nullValues = "-", value = {"80, 80", "0, 80", "http, 8080", "nope, -", "-, 80"})
    void targetPortsResolvePerPod(String target, Integer expected) {
        IntOrString t = target == null ? null : target.matches("\\d+") ? new IntOrString(Integer.parseInt(target)) : new IntOrString(target);
        List<EndpointPlan.ResolvedPort> ports = EndpointPlan.ports(service(Map.of("a", "b"), t), pod("p", "10.1.1.1", "Running", true, Map.of("a", "b")));
        assertEquals(expected == null ? List.of() : List.of(new EndpointPlan.ResolvedPort("", expected, "TCP")), ports);
    }

    @Test
    void aServiceWithoutSelectorIsTheUsers() {
        Service svc = service(null, new IntOrString(80));
        assertEquals(Map.of(), EndpointPlan.slices(svc, List.of(pod("p", "10.1.1.1", "Running", true, Map.of("a", "b")))));
        assertNull(EndpointPlan.endpoints(svc, List.of()));
    }
}
