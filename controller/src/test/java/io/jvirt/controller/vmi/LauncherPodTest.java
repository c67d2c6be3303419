package io.jvirt.controller.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jvirt.api.v1.KubeVirtSettings;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.resource.VirtualMachineResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LauncherPodTest {
    static final KubernetesSerialization JSON = new KubernetesSerialization();

    static VirtualMachineInstanceResource vmi(String specJson) {
        VirtualMachineInstanceResource vmi = JSON.unmarshal("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\",\"spec\":" + specJson + "}",
                VirtualMachineInstanceResource.class);
        vmi.setMetadata(new ObjectMetaBuilder().withName("vm-cirros").withNamespace("default").withUid("0123456789abcdef")
                .withLabels(Map.of("kubevirt.io/vm", "vm-cirros")).build());
        return vmi;
    }

    @Test
    void exampleGivesTheLauncherContract() throws Exception {
        VirtualMachineResource vm = JSON.unmarshal(Files.readString(Path.of(System.getProperty("jvirt.examples.dir", "../examples"), "vm-cirros.yaml")), VirtualMachineResource.class);
        VirtualMachineInstanceResource vmi = vmi(JSON.asJson(vm.getSpec().template().spec()));
        Pod pod = LauncherPod.build(vmi, KubeVirtSettings.DEFAULTS, JSON);
        assertEquals("virt-launcher-vm-cirros-01234", pod.getMetadata().getName());
        assertEquals(Map.of("kubevirt.io", "virt-launcher", "kubevirt.io/created-by", "0123456789abcdef", "vm.kubevirt.io/name", "vm-cirros",
                "kubevirt.io/domain", "vm-cirros", "kubevirt.io/vm", "vm-cirros"), pod.getMetadata().getLabels());
        var owner = pod.getMetadata().getOwnerReferences().getFirst();
        assertEquals(List.of("VirtualMachineInstance", "vm-cirros", "0123456789abcdef", true, true),
                List.of(owner.getKind(), owner.getName(), owner.getUid(), owner.getController(), owner.getBlockOwnerDeletion()));
        var c = pod.getSpec().getContainers().getFirst();
        assertEquals("compute", c.getName());
        assertEquals(List.of("jvirt-launcher", "--namespace", "default", "--name", "vm-cirros", "--uid", "0123456789abcdef"), c.getCommand());
        long memory = (128L << 20) + (128L << 20) / 512 + LauncherOverhead.FIXED_MIB * (1L << 20);
        assertEquals(memory, Quantity.getAmountInBytes(c.getResources().getRequests().get("memory")).longValueExact());
        assertEquals(c.getResources().getRequests().get("memory"), c.getResources().getLimits().get("memory"));
        assertEquals("100m", c.getResources().getRequests().get("cpu").toString());
        assertEquals(15L, pod.getSpec().getTerminationGracePeriodSeconds(), "terminationGracePeriodSeconds 0 + 15 s for the launcher");
    }

    @ParameterizedTest(name = "cpuAllocationRatio {0}, {1} vCPU -> {2}")
    @CsvSource({"10, 1, 100m", "1, 2, 2000m", "4, 1, 250m", "2000, 1, 1m"})
    void cpuRequestFollowsTheKubeVirtCpuAllocationRatio(int ratio, long vcpus, String cpu) {
        String spec = "{\"domain\":{\"memory\":{\"guest\":\"64Mi\"},\"cpu\":{\"cores\":" + vcpus + "}}}";
        Pod pod = LauncherPod.build(vmi(spec), new KubeVirtSettings(false, ratio, java.util.List.of()), JSON);
        assertEquals(cpu, pod.getSpec().getContainers().getFirst().getResources().getRequests().get("cpu").toString());
    }

    @ParameterizedTest(name = "{0} -> memory {1}, cpu {2}")
    @CsvSource(delimiter = '|', textBlock = """
            {"domain":{"memory":{"guest":"1Gi"},"cpu":{"cores":2,"sockets":2}}}              | 1073741824 | 400m
            {"domain":{"resources":{"requests":{"memory":"64M","cpu":"1500m"}}}}             | 64000000   | 1500m
            {"domain":{"resources":{"limits":{"memory":"256Mi"}},"cpu":{"threads":2}}}       | 268435456  | 200m
            """)
    void requestsFollowTheGuest(String spec, long guestBytes, String cpu) {
        Pod pod = LauncherPod.build(vmi(spec), KubeVirtSettings.DEFAULTS, JSON);
        var requests = pod.getSpec().getContainers().getFirst().getResources().getRequests();
        assertEquals(LauncherOverhead.podMemoryBytes(guestBytes), Quantity.getAmountInBytes(requests.get("memory")).longValueExact());
        assertEquals(cpu, requests.get("cpu").toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            pod network only     | [{"name":"default","pod":{}}]                                                                  | -
            a secondary network  | [{"name":"default","pod":{}},{"name":"blue","multus":{"networkName":"blue"}}]                  | -
            multus default       | [{"name":"red","multus":{"networkName":"nets/red","default":true}}]                           | nets/red
            default, secondary   | [{"name":"blue","multus":{"networkName":"blue"}},{"name":"red","multus":{"networkName":"red","default":true}}] | red
            """)
    void aMultusDefaultNetworkIsNamedInMultusAnnotation(String name, String networks, String annotation) {
        Pod pod = LauncherPod.build(vmi("{\"domain\":{\"memory\":{\"guest\":\"64Mi\"}},\"networks\":" + networks + "}"), KubeVirtSettings.DEFAULTS, JSON);
        assertEquals(annotation, pod.getMetadata().getAnnotations().get("v1.multus-cni.io/default-network"));
        assertEquals("vm-cirros", pod.getMetadata().getAnnotations().get("kubevirt.io/domain"));
    }

    @Test
    void schedulingConstraintsAreCopied() {
        Pod pod = LauncherPod.build(vmi("""
                {"domain":{"memory":{"guest":"64Mi"}},"nodeSelector":{"disk":"ssd"},"schedulerName":"jvirt-scheduler",
                 "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                   {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}},
                 "tolerations":[{"key":"dedicated","operator":"Exists","effect":"NoSchedule"}]}"""), KubeVirtSettings.DEFAULTS, JSON);
        assertEquals(Map.of("disk", "ssd"), pod.getSpec().getNodeSelector());
        assertEquals("jvirt-scheduler", pod.getSpec().getSchedulerName());
        assertEquals("zone", pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().getFirst().getMatchExpressions().getFirst().getKey());
        assertEquals("dedicated", pod.getSpec().getTolerations().getFirst().getKey());
    }

    @Test
    void aVmiWithoutMemoryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LauncherPod.build(vmi("{\"domain\":{}}"), KubeVirtSettings.DEFAULTS, JSON));
    }

    @ParameterizedTest(name = "memory {0} -> pod requests {1} bytes")
    @CsvSource({
        "1Ei, 1155173304613470208",          // 2^60 + 2^60/512 + 184 MiB: a long, so the pod is made (and fits no node)
        "8E, 8015625000192937984",
    })
    void hugeButRepresentableMemoryIsRequestedExactly(String memory, long bytes) {
        Pod pod = LauncherPod.build(vmi("{\"domain\":{\"memory\":{\"guest\":\"" + memory + "\"}}}"), KubeVirtSettings.DEFAULTS, JSON);
        assertEquals(Long.toString(bytes), pod.getSpec().getContainers().getFirst().getResources().getRequests().get("memory").getAmount());
    }

    @ParameterizedTest(name = "memory {0}: {1}")
    @CsvSource({
        "16Ei, too large",   // 2^63-1 (Kubernetes' cap) plus the overhead does not fit in a long
        "9.3E, too large",
        "1e100, too large",
    })
    void memoryBeyondWhatAPodCanRequestIsAClearError(String memory, String says) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LauncherPod.build(vmi("{\"domain\":{\"memory\":{\"guest\":\"" + memory + "\"}}}"), KubeVirtSettings.DEFAULTS, JSON));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    @Test
    void aVmiReadOnlyInPartIsAClearError() {
        KubernetesSerialization tolerant = new KubernetesSerialization(new com.fasterxml.jackson.databind.ObjectMapper()
                .registerModule(new io.jvirt.api.meta.TolerantReading(java.util.Set.of(VirtualMachineInstanceResource.class))), true);
        VirtualMachineInstanceResource vmi = tolerant.unmarshal("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
                + "\"metadata\":{\"name\":\"bad\",\"uid\":\"u1\"},\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1.5.5Gi\"}}}}",
                VirtualMachineInstanceResource.class);
        org.junit.jupiter.api.Assertions.assertTrue(vmi.leftOut("spec"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LauncherPod.build(vmi, KubeVirtSettings.DEFAULTS, JSON));
        assertEquals("cannot read the VMI: spec.domain.memory.guest: quantity '1.5.5Gi' is not valid: '.5Gi' is not a suffix"
                + " (Ki Mi Gi Ti Pi Ei, n u m k M G T P E) nor an exponent (e3, E-2); " + "a quantity is a number with an optional suffix:"
                + " Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent such as e3 (e.g. 64Mi, 1.5G, 500m, 1e9)", e.getMessage());
    }
}
