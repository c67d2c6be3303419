package io.jvirt.controller;

import static io.jvirt.controller.EmbeddedCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.api.v1.VirtualMachineInstanceCondition;
import io.jvirt.controller.resource.Condition;
import io.jvirt.controller.resource.ReplicaSetResource;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.resource.VirtualMachineResource;
import io.jvirt.controller.scheduler.Scheduler;
import io.jvirt.controller.vm.CrashLoopBackoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Scheduling outcomes and the replica set, through the real embedded API server, kubectl and the
 * controllers, against one real Node object (4 cpu, 2 GiB).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulingAndReplicaSetIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static EmbeddedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(CrashLoopBackoff.DEFAULT);
        cluster.addNode("node-1", "4", "2Gi", Map.of("kubernetes.io/hostname", "node-1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    static VirtualMachineResource vm(String name) {
        return cluster.client.resources(VirtualMachineResource.class).inNamespace("default").withName(name).get();
    }

    static VirtualMachineInstanceResource vmi(String name) {
        return cluster.client.resources(VirtualMachineInstanceResource.class).inNamespace("default").withName(name).get();
    }

    static List<VirtualMachineInstanceResource> replicaVmis() {
        return cluster.client.resources(VirtualMachineInstanceResource.class).inNamespace("default")
                .withLabel("kubevirt.io/vmReplicaSet", "vmi-replicaset-cirros").list().getItems().stream()
                .filter(v -> v.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static ReplicaSetResource rs() {
        return cluster.client.resources(ReplicaSetResource.class).inNamespace("default").withName("vmi-replicaset-cirros").get();
    }

    /** The vm-cirros example renamed, with {@code runStrategy: Always} and extra lines in the domain/spec. */
    static Path vmManifest(String name, String memory, String extraSpec) throws Exception {
        String yaml = Files.readString(VmLifecycleIT.EXAMPLES.resolve("vm-cirros.yaml"))
                .replace("name: vm-cirros", "name: " + name)
                .replace("runStrategy: Halted", "runStrategy: Always")
                .replace("guest: 128Mi", "guest: " + memory)
                .replace("      terminationGracePeriodSeconds: 0", "      terminationGracePeriodSeconds: 0\n" + extraSpec);
        Path f = cluster.dir.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    static void patchVmiStatus(String vmi, String json) {
        cluster.patchVmiStatus(vmi, json);
    }

    static void nodeAgentReportsRunning(String vmi) {
        patchVmiStatus(vmi, "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
    }

    static void nodeAgentReportsFailed(String vmi) {
        patchVmiStatus(vmi, "{\"status\":{\"phase\":\"Failed\",\"reason\":\"QemuCrashed\"}}");
    }

    @Test
    @Order(1)
    void vmLargerThanTheNodeIsErrorUnschedulableWithTheReason() throws Exception {
        cluster.kubectl.ok("apply", "-f", vmManifest("vm-huge", "8Gi", "").toString());
        VirtualMachineResource vm = await(WAIT, "ErrorUnschedulable", () -> vm("vm-huge"),
                v -> v != null && v.getStatus() != null && "ErrorUnschedulable".equals(v.getStatus().printableStatus()));
        Condition scheduled = vm.getStatus().conditions().stream().filter(c -> "PodScheduled".equals(c.type())).findFirst().orElseThrow();
        assertEquals(List.of("False", "Unschedulable", "0/1 nodes are available: 1 Insufficient memory."),
                List.of(scheduled.status(), scheduled.reason(), scheduled.message()));
        VirtualMachineInstanceCondition vmiCondition = vmi("vm-huge").getStatus().conditions().stream()
                .filter(c -> "PodScheduled".equals(c.type())).findFirst().orElseThrow();
        assertEquals("Unschedulable", vmiCondition.reason());
        assertEquals("Scheduling", vmi("vm-huge").getStatus().phase());
        Pod pod = cluster.client.pods().inNamespace("default").withLabel("kubevirt.io/domain", "vm-huge").list().getItems().getFirst();
        assertNull(pod.getSpec().getNodeName());
        assertEquals(Scheduler.BindMode.POD_BINDING, cluster.controllers.scheduler().bindMode(), "the embedded server serves pods/binding");
        String out = cluster.kubectl.ok("get", "vm", "vm-huge");
        assertTrue(out.contains("ErrorUnschedulable"), out);
        cluster.kubectl.ok("delete", "vm", "vm-huge");
    }

    @Test
    @Order(2)
    void nodeSelectorWaitsForAMatchingNodeLabel() throws Exception {
        cluster.kubectl.ok("apply", "-f", vmManifest("vm-ssd", "128Mi", "      nodeSelector:\n        disk: ssd").toString());
        VirtualMachineInstanceResource vmi = await(WAIT, "unschedulable by selector", () -> vmi("vm-ssd"),
                v -> v != null && v.getStatus() != null && v.getStatus().conditions() != null && v.getStatus().conditions().stream()
                        .anyMatch(c -> "PodScheduled".equals(c.type()) && c.message() != null && c.message().contains("didn't match Pod's node affinity/selector")));
        assertEquals("Scheduling", vmi.getStatus().phase());
        await(WAIT, "ErrorUnschedulable", () -> vm("vm-ssd").getStatus().printableStatus(), "ErrorUnschedulable"::equals);
        cluster.kubectl.ok("label", "node", "node-1", "disk=ssd");
        vmi = await(WAIT, "Scheduled after the label", () -> vmi("vm-ssd"), v -> "Scheduled".equals(v.getStatus().phase()));
        assertEquals("node-1", vmi.getStatus().nodeName());
        assertTrue(vmi.getStatus().conditions().stream().noneMatch(c -> "PodScheduled".equals(c.type())), vmi.getStatus().conditions().toString());
        await(WAIT, "Starting", () -> vm("vm-ssd").getStatus().printableStatus(), "Starting"::equals);
        cluster.kubectl.ok("delete", "vm", "vm-ssd");
    }

    @Test
    @Order(3)
    void replicaSetCreatesThreeOwnedVmis() throws Exception {
        cluster.kubectl.ok("apply", "-f", VmLifecycleIT.EXAMPLES.resolve("vmi-replicaset-cirros.yaml").toString());
        List<VirtualMachineInstanceResource> vmis = await(WAIT, "3 VMIs Scheduled", SchedulingAndReplicaSetIT::replicaVmis,
                l -> l.size() == 3 && l.stream().allMatch(v -> v.getStatus() != null && "Scheduled".equals(v.getStatus().phase())));
        String uid = rs().getMetadata().getUid();
        assertTrue(vmis.stream().allMatch(v -> uid.equals(v.getMetadata().getOwnerReferences().getFirst().getUid())));
        assertTrue(vmis.stream().allMatch(v -> v.getMetadata().getName().startsWith("vmi-replicaset-cirros")));
        ReplicaSetResource rs = await(WAIT, "status.replicas 3", SchedulingAndReplicaSetIT::rs,
                r -> r.getStatus() != null && Integer.valueOf(3).equals(r.getStatus().replicas()));
        assertEquals("kubevirt.io/vmReplicaSet=vmi-replicaset-cirros", rs.getStatus().labelSelector());
        assertEquals(0, rs.getStatus().readyReplicas());

        nodeAgentReportsRunning(vmis.getFirst().getMetadata().getName());
        await(WAIT, "readyReplicas 1", SchedulingAndReplicaSetIT::rs, r -> Integer.valueOf(1).equals(r.getStatus().readyReplicas()));
        String table = cluster.kubectl.ok("get", "vmirs", "vmi-replicaset-cirros");
        assertTrue(table.lines().skip(1).findFirst().orElseThrow().matches("vmi-replicaset-cirros\\s+3\\s+3\\s+1\\s+\\S+\\s*"), table);
    }

    @Test
    @Order(4)
    void kubectlScaleToOneDeletesTwoAndKeepsTheRunningOne() throws Exception {
        String running = replicaVmis().stream().filter(v -> "Running".equals(v.getStatus().phase())).findFirst().orElseThrow().getMetadata().getName();
        Set<String> before = replicaVmis().stream().map(v -> v.getMetadata().getName()).collect(Collectors.toSet());
        cluster.kubectl.ok("scale", "vmirs", "vmi-replicaset-cirros", "--replicas=1");
        List<VirtualMachineInstanceResource> left = await(WAIT, "1 VMI left", SchedulingAndReplicaSetIT::replicaVmis, l -> l.size() == 1);
        assertEquals(running, left.getFirst().getMetadata().getName());
        Thread.sleep(500);
        assertEquals(1, replicaVmis().size(), "no replacement after a scale-down");
        assertEquals(3, before.size());
        await(WAIT, "status.replicas 1", SchedulingAndReplicaSetIT::rs, r -> Integer.valueOf(1).equals(r.getStatus().replicas()));
        await(WAIT, "deleted VMIs' pods gone", () -> cluster.client.pods().inNamespace("default").withLabel("kubevirt.io/vmReplicaSet", "vmi-replicaset-cirros")
                .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).count(), n -> n == 1);
    }

    @Test
    @Order(5)
    void deletedAndFailedVmisAreReplaced() throws Exception {
        String first = replicaVmis().getFirst().getMetadata().getName();
        cluster.kubectl.ok("delete", "vmi", first);
        VirtualMachineInstanceResource replacement = await(WAIT, "replacement of the deleted VMI", SchedulingAndReplicaSetIT::replicaVmis,
                l -> l.size() == 1 && !l.getFirst().getMetadata().getName().equals(first)).getFirst();
        String second = replacement.getMetadata().getName();
        await(WAIT, "replacement Scheduled", () -> vmi(second), v -> v.getStatus() != null && "Scheduled".equals(v.getStatus().phase()));
        nodeAgentReportsFailed(second);
        await(WAIT, "replacement of the failed VMI", SchedulingAndReplicaSetIT::replicaVmis,
                l -> l.size() == 1 && !l.getFirst().getMetadata().getName().equals(second) && !l.getFirst().getMetadata().getName().equals(first));
        await(WAIT, "a Warning event with the node's reason", () -> cluster.client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> second.equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType()) && "Failed".equals(e.getReason()))
                .map(e -> e.getMessage()).toList(), messages -> messages.equals(List.of("VirtualMachineInstance failed: QemuCrashed")));
    }

    @Test
    @Order(6)
    void pausedSetNeitherCreatesNorDeletes() throws Exception {
        cluster.kubectl.ok("patch", "vmirs", "vmi-replicaset-cirros", "--type=merge", "-p", "{\"spec\":{\"paused\":true}}");
        await(WAIT, "ReplicaPaused", SchedulingAndReplicaSetIT::rs, r -> r.getStatus().conditions() != null
                && r.getStatus().conditions().stream().anyMatch(c -> "ReplicaPaused".equals(c.type()) && c.isTrue()));
        cluster.kubectl.ok("scale", "vmirs", "vmi-replicaset-cirros", "--replicas=2");
        Thread.sleep(1000);
        assertEquals(1, replicaVmis().size(), "a paused set does not scale");
        cluster.kubectl.ok("patch", "vmirs", "vmi-replicaset-cirros", "--type=merge", "-p", "{\"spec\":{\"paused\":false}}");
        await(WAIT, "2 VMIs after unpause", SchedulingAndReplicaSetIT::replicaVmis, l -> l.size() == 2);
        await(WAIT, "condition cleared", SchedulingAndReplicaSetIT::rs, r -> r.getStatus().conditions() == null);
    }

    static boolean phase(VirtualMachineInstanceResource v, String phase) {
        return v.getStatus() != null && phase.equals(v.getStatus().phase());
    }

    @Test
    @Order(7)
    void theNodeTakesAsManyLaunchersAsItsMemoryHolds() throws Exception {
        // Each launcher requests 128Mi + 128Mi/512 + 184Mi = 312.25Mi: six fit in 2Gi, the seventh does not.
        cluster.kubectl.ok("scale", "vmirs", "vmi-replicaset-cirros", "--replicas=7");
        List<VirtualMachineInstanceResource> vmis = await(WAIT, "6 Scheduled, 1 unschedulable", SchedulingAndReplicaSetIT::replicaVmis,
                l -> l.size() == 7 && l.stream().filter(v -> phase(v, "Scheduled") || phase(v, "Running")).count() == 6
                        && l.stream().anyMatch(v -> phase(v, "Scheduling") && v.getStatus().conditions() != null
                        && v.getStatus().conditions().stream().anyMatch(c -> "PodScheduled".equals(c.type()))));
        VirtualMachineInstanceCondition c = vmis.stream().filter(v -> phase(v, "Scheduling")).findFirst().orElseThrow()
                .getStatus().conditions().stream().filter(x -> "PodScheduled".equals(x.type())).findFirst().orElseThrow();
        assertEquals("0/1 nodes are available: 1 Insufficient memory.", c.message());
        cluster.kubectl.ok("scale", "vmirs", "vmi-replicaset-cirros", "--replicas=5");
        await(WAIT, "5 VMIs, all placed", SchedulingAndReplicaSetIT::replicaVmis,
                l -> l.size() == 5 && l.stream().allMatch(v -> phase(v, "Scheduled") || phase(v, "Running")));
    }
}
