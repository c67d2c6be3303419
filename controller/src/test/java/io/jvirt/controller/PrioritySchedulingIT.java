package io.jvirt.controller;

import static io.jvirt.controller.EmbeddedCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.controller.vm.CrashLoopBackoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * PriorityClasses through the real embedded API server, kubectl, the controllers and the scheduler: a VM naming a
 * PriorityClass that does not exist gets no launcher pod and the VMI's FailedCreate event carries kube-apiserver's
 * Priority admission message, until the class is created; the launcher pod's {@code spec.priority} is the class's
 * value; with room for one guest, the pending pod of higher priority gets the node although the other came first.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrioritySchedulingIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static EmbeddedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(CrashLoopBackoff.DEFAULT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    /** A VM that runs at once, with 512Mi of guest memory (a launcher pod of about 700Mi) and this PriorityClass. */
    static Path vm(String name, String priorityClass) throws Exception {
        Path f = cluster.dir.resolve(name + ".yaml");
        Files.writeString(f, """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata: {name: %s}
                spec:
                  runStrategy: Always
                  template:
                    spec:
                      priorityClassName: %s
                      domain:
                        memory: {guest: 512Mi}
                        devices:
                          disks: [{name: containerdisk, disk: {bus: virtio}}]
                      volumes:
                      - name: containerdisk
                        containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}
                """.formatted(name, priorityClass));
        return f;
    }

    static Path priorityClass(String name, int value) throws Exception {
        Path f = cluster.dir.resolve("pc-" + name + ".yaml");
        Files.writeString(f, """
                apiVersion: scheduling.k8s.io/v1
                kind: PriorityClass
                metadata: {name: %s}
                value: %d
                """.formatted(name, value));
        return f;
    }

    static List<Pod> launcherPods(String vm) {
        return cluster.client.pods().inNamespace("default").withLabel("kubevirt.io/domain", vm).list().getItems();
    }

    @Test
    @Order(1)
    void aMissingPriorityClassIsReportedUntilItExists() throws Exception {
        cluster.kubectl.ok("apply", "-f", vm("vm-orphan", "preemtible").toString());
        Event failed = await(WAIT, "FailedCreate naming the missing class", () -> cluster.client.v1().events().inNamespace("default").list().getItems()
                .stream().filter(e -> "vm-orphan".equals(e.getInvolvedObject().getName()) && "FailedCreate".equals(e.getReason())).findFirst().orElse(null),
                e -> e != null);
        assertTrue(failed.getMessage().matches("(?s).*pods \"virt-launcher-vm-orphan-[a-z0-9]+\" is forbidden: no PriorityClass with name preemtible was found.*"),
                failed.getMessage());
        assertEquals(List.of(), launcherPods("vm-orphan"), "no launcher pod without its PriorityClass");
        cluster.kubectl.ok("apply", "-f", priorityClass("preemtible", 1000).toString());
        Pod pod = await(Duration.ofSeconds(60), "the launcher pod once the class exists", () -> launcherPods("vm-orphan"), p -> !p.isEmpty()).getFirst();
        assertEquals(1000, pod.getSpec().getPriority());
        assertEquals("preemtible", pod.getSpec().getPriorityClassName());
        assertEquals("PreemptLowerPriority", pod.getSpec().getPreemptionPolicy());
        cluster.kubectl.ok("delete", "vm", "vm-orphan");
        await(WAIT, "vm-orphan's launcher pod gone", () -> launcherPods("vm-orphan"), List::isEmpty);
    }

    @Test
    @Order(2)
    void theHigherPriorityPendingPodGetsTheNodeFirst() throws Exception {
        cluster.kubectl.ok("apply", "-f", priorityClass("low", 10).toString());
        cluster.kubectl.ok("apply", "-f", priorityClass("high", 100000).toString());
        // no node yet: both launcher pods wait, the low-priority one first (and first by name)
        cluster.kubectl.ok("apply", "-f", vm("vm-a-low", "low").toString());
        Pod low = await(WAIT, "vm-a-low's pod pending", () -> launcherPods("vm-a-low"), p -> !p.isEmpty() && unschedulable(p.getFirst())).getFirst();
        cluster.kubectl.ok("apply", "-f", vm("vm-b-high", "high").toString());
        Pod high = await(WAIT, "vm-b-high's pod pending", () -> launcherPods("vm-b-high"), p -> !p.isEmpty() && unschedulable(p.getFirst())).getFirst();
        assertEquals(List.of(10, 100000), List.of(low.getSpec().getPriority(), high.getSpec().getPriority()));
        cluster.addNode("node-1", "4", "1Gi", Map.of("kubernetes.io/hostname", "node-1"));
        await(WAIT, "vm-b-high bound", () -> launcherPods("vm-b-high").getFirst(), p -> "node-1".equals(p.getSpec().getNodeName()));
        Pod stillPending = await(WAIT, "vm-a-low unschedulable on the full node", () -> launcherPods("vm-a-low").getFirst(),
                p -> p.getStatus().getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType()) && c.getMessage() != null
                        && c.getMessage().contains("1 Insufficient memory")));
        assertNull(stillPending.getSpec().getNodeName());
    }

    private static boolean unschedulable(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()));
    }
}
