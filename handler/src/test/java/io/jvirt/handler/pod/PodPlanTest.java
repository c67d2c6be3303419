package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodPlanTest {
    private static Pod pod(String limit, String request, List<String> command, List<String> args) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").withUid("0123abcd-4567-89ef-aaaa-bbbbccccdddd")
                .endMetadata().withNewSpec().addNewContainer().withName("compute").withCommand(command).withArgs(args)
                .withNewResources().endResources().endContainer().endSpec();
        Pod p = b.build();
        var res = p.getSpec().getContainers().get(0).getResources();
        if (limit != null) res.setLimits(Map.of("memory", new Quantity(limit)));
        if (request != null) res.setRequests(Map.of("memory", new Quantity(request)));
        return p;
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "64Mi, 32Mi, 67108864",
        "null, 32Mi, 33554432",
        "null, null, 0",
        "1G, null, 1000000000",
        "440Mi, 440Mi, 461373440",
        "1Ei, null, 1152921504606846976",     // exact: fabric8's own reading goes through a double and loses bytes
        "16Ei, null, 9223372036854775807",    // binary SI capped at 2^63-1, as in Kubernetes
        "1.5Gi, null, 1610612736",
    })
    void memoryLimitFromLimitsThenRequests(String limit, String request, long bytes) {
        assertEquals(bytes, PodPlan.of(pod(limit, request, List.of("sh"), List.of())).memoryLimitBytes());
    }

    @Test
    void namesGraceAndHostScope() {
        PodPlan plan = PodPlan.of(pod(null, null, List.of("jvirt-launcher", "--namespace", "default"), List.of("--name", "vm1")));
        assertEquals("0123abcd-4567-89ef-aaaa-bbbbccccdddd", plan.uid());
        assertEquals(30, plan.gracePeriodSeconds());
        HostScope scope = new HostScope("5eed0001", new CgroupHierarchy.V1(Path.of("/sys/fs/cgroup/memory"), Path.of("/sys/fs/cgroup/cpu"), Path.of("/sys/fs/cgroup/pids")));
        assertEquals("jvirt-5eed0001-0123abcd4567", scope.netnsName(plan.uid()));
        assertEquals(new CgroupV1(Path.of("/sys/fs/cgroup/memory/jvirt/5eed0001-0123abcd-4567-89ef-aaaa-bbbbccccdddd"),
                Path.of("/sys/fs/cgroup/cpu/jvirt/5eed0001-0123abcd-4567-89ef-aaaa-bbbbccccdddd"),
                Path.of("/sys/fs/cgroup/pids/jvirt/5eed0001-0123abcd-4567-89ef-aaaa-bbbbccccdddd")), scope.cgroup(plan.uid()));
        assertEquals(new CgroupV2(Path.of("/sys/fs/cgroup"), Path.of("/sys/fs/cgroup/jvirt/5eed0001-0123abcd-4567-89ef-aaaa-bbbbccccdddd")),
                new HostScope("5eed0001", new CgroupHierarchy.V2(Path.of("/sys/fs/cgroup"))).cgroup(plan.uid()));
        assertEquals(Path.of("/run/jvirt/5eed0001-0123abcd-4567-89ef-aaaa-bbbbccccdddd"), scope.runDirectory(plan.uid()));
        assertThrows(IllegalArgumentException.class, () -> new HostScope("../etc"));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "null, 0",         // a request alone limits nothing
        "1, 1000",
        "250m, 250",
        "1.5, 1500",
        "0.0001, 1",       // rounded up to a millicpu
        "2k, 2000000",
    })
    void cpuLimitInMillicpus(String limit, long millis) {
        Pod p = pod("64Mi", null, List.of("sh"), List.of());
        p.getSpec().getContainers().get(0).getResources().setRequests(Map.of("cpu", new Quantity("100m")));
        if (limit != null) {
            p.getSpec().getContainers().get(0).getResources().setLimits(Map.of("memory", new Quantity("64Mi"), "cpu", new Quantity(limit)));
        }
        PodPlan plan = PodPlan.of(p);
        assertEquals(new CgroupLimits(64L << 20, millis, CgroupLimits.DEFAULT_PIDS_MAX), plan.limits());
    }

    @Test
    void aCpuLimitBeyondAQuotaIsAClearError() {
        Pod p = pod(null, null, List.of("sh"), List.of());
        p.getSpec().getContainers().get(0).getResources().setLimits(Map.of("cpu", new Quantity("1e100")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodPlan.of(p));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("too large for a CFS quota"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"1e100, too large", "10E, too large", "1.5.5, not valid", "Mi, not valid"})
    void aMemoryLimitThatIsNoLongIsAClearError(String limit, String says) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodPlan.of(pod(limit, null, List.of("sh"), List.of())));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(says) && e.getMessage().contains(limit), e.getMessage());
    }

    @Test
    void refusesPodsWithoutComputeContainer() {
        Pod p = pod(null, null, List.of("sh"), List.of());
        p.getSpec().getContainers().get(0).setName("other");
        assertThrows(IllegalArgumentException.class, () -> PodPlan.of(p));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "1234 (sleep) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000 100 | 98765",
        "77 (a (weird) name) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 1 1 | 4242",
        "88 (zombie) Z 1 88 88 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5000 0 0 | null",
    })
    void startTicks(String stat, Long ticks) {
        assertEquals(Optional.ofNullable(ticks), ProcStat.parseStartTicks(stat));
    }
}
