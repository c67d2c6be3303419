package io.jvirt.controller;

import static io.jvirt.controller.EmbeddedCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.jvirt.controller.resource.Condition;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.resource.VirtualMachineResource;
import io.jvirt.controller.vm.CrashLoopBackoff;
import io.jvirt.controller.vmi.LauncherOverhead;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The VM lifecycle through the real embedded API server, the real kubectl and the controllers: the
 * project's examples/vm-cirros.yaml applied unmodified, started by a state-change request (what the start
 * subresource writes), scheduled onto a real Node object, the node agent's part simulated only by
 * writing what it writes (VMI status through the status subresource), stopped, crash-looped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VmLifecycleIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path EXAMPLES = Path.of(System.getProperty("jvirt.examples.dir", "../examples"));
    static final ResourceDefinitionContext VMI_CTX = new ResourceDefinitionContext.Builder()
            .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances").withNamespaced(true).build();
    static final ResourceDefinitionContext VM_CTX = new ResourceDefinitionContext.Builder()
            .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachine").withPlural("virtualmachines").withNamespaced(true).build();

    static EmbeddedCluster cluster;
    static String firstVmiUid;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(new CrashLoopBackoff(Duration.ofSeconds(3), Duration.ofSeconds(20), Duration.ofMinutes(1)));
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

    static String printable(String name) {
        VirtualMachineResource vm = vm(name);
        return vm == null || vm.getStatus() == null ? null : vm.getStatus().printableStatus();
    }

    static Condition vmCondition(VirtualMachineResource vm, String type) {
        if (vm.getStatus() == null || vm.getStatus().conditions() == null) return null;
        return vm.getStatus().conditions().stream().filter(c -> type.equals(c.type())).findFirst().orElse(null);
    }

    /** Writes the VM status field the start/stop/restart subresources write. */
    static void requestStateChange(String vm, String json) {
        cluster.client.genericKubernetesResources(VM_CTX).inNamespace("default").withName(vm).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"stateChangeRequests\":" + json + "}}");
    }

    /** Writes what the node agent writes once the domain runs (or ends). */
    static void nodeAgentReports(String vmi, String phase, boolean ready) {
        String now = Instant.now().toString();
        String json = "{\"status\":{\"phase\":\"" + phase + "\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False")
                + "\",\"lastTransitionTime\":\"" + now + "\"}],\"phaseTransitionTimestamps\":[{\"phase\":\"" + phase
                + "\",\"phaseTransitionTimestamp\":\"" + now + "\"}]}}";
        patchVmiStatus(vmi, json);
    }

    static void patchVmiStatus(String vmi, String json) {
        cluster.patchVmiStatus(vmi, json);
    }

    @Test
    @Order(1)
    void appliedExampleIsStopped() throws Exception {
        cluster.kubectl.ok("apply", "-f", EXAMPLES.resolve("vm-cirros.yaml").toString());
        await(WAIT, "vm-cirros Stopped", () -> printable("vm-cirros"), "Stopped"::equals);
        VirtualMachineResource vm = vm("vm-cirros");
        assertNull(vm.getStatus().created());
        assertEquals("False", vmCondition(vm, "Ready").status());
        assertNull(vmi("vm-cirros"), "Halted must not create a VMI");
        String table = await(WAIT, "kubectl get vm shows Stopped", () -> {
            try {
                return cluster.kubectl.ok("get", "vm", "vm-cirros");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, out -> out.contains("Stopped"));
        List<String> header = List.of(table.lines().findFirst().orElseThrow().trim().split("\\s+"));
        assertEquals(List.of("NAME", "AGE", "STATUS", "READY"), header);
        assertTrue(table.lines().skip(1).findFirst().orElseThrow().matches("vm-cirros\\s+\\S+\\s+Stopped\\s+False\\s*"), table);
    }

    @Test
    @Order(2)
    void startRequestCreatesVmiAndLauncherPodBoundToTheNode() throws Exception {
        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Manual\"}}");
        Thread.sleep(300);
        assertNull(vmi("vm-cirros"), "Manual without a start request must not create a VMI");
        requestStateChange("vm-cirros", "[{\"action\":\"Start\"}]");

        VirtualMachineInstanceResource vmi = await(WAIT, "VMI Scheduled", () -> vmi("vm-cirros"),
                v -> v != null && v.getStatus() != null && "Scheduled".equals(v.getStatus().phase()));
        firstVmiUid = vmi.getMetadata().getUid();
        VirtualMachineResource vm = vm("vm-cirros");
        OwnerReference owner = vmi.getMetadata().getOwnerReferences().getFirst();
        assertEquals(List.of("VirtualMachine", "vm-cirros", vm.getMetadata().getUid(), true, true),
                List.of(owner.getKind(), owner.getName(), owner.getUid(), owner.getController(), owner.getBlockOwnerDeletion()));
        assertEquals("vm-cirros", vmi.getMetadata().getLabels().get("kubevirt.io/vm"), "template labels are copied");
        assertEquals("node-1", vmi.getStatus().nodeName());
        assertEquals(List.of("Pending", "Scheduling", "Scheduled"),
                vmi.getStatus().phaseTransitionTimestamps().stream().map(t -> t.phase()).toList());
        assertTrue(vmi.getMetadata().getFinalizers().contains("kubevirt.io/foregroundDeleteVirtualMachine"));
        await(WAIT, "nodeName label", () -> vmi("vm-cirros").getMetadata().getLabels(), l -> "node-1".equals(l.get("kubevirt.io/nodeName")));

        String vmiTable = cluster.kubectl.ok("get", "vmi", "vm-cirros");
        assertEquals(List.of("NAME", "AGE", "PHASE", "IP", "NODENAME", "READY"), List.of(vmiTable.lines().findFirst().orElseThrow().trim().split("\\s+")));
        assertTrue(vmiTable.lines().skip(1).findFirst().orElseThrow().matches("vm-cirros\\s+\\S+\\s+Scheduled\\s+node-1\\s+False\\s*"), vmiTable);

        List<Pod> pods = cluster.client.pods().inNamespace("default").withLabel("kubevirt.io/created-by", firstVmiUid).list().getItems();
        assertEquals(1, pods.size());
        Pod pod = pods.getFirst();
        assertEquals("virt-launcher", pod.getMetadata().getLabels().get("kubevirt.io"));
        assertEquals("vm-cirros", pod.getMetadata().getLabels().get("vm.kubevirt.io/name"));
        assertEquals("node-1", pod.getSpec().getNodeName());
        assertEquals(firstVmiUid, pod.getMetadata().getOwnerReferences().getFirst().getUid());
        var compute = pod.getSpec().getContainers().getFirst();
        assertEquals("compute", compute.getName());
        assertEquals("jvirt-launcher", compute.getCommand().getFirst());
        long expectedMemory = LauncherOverhead.podMemoryBytes(128L << 20);
        assertEquals(expectedMemory, Quantity.getAmountInBytes(compute.getResources().getRequests().get("memory")).longValueExact());
        assertEquals(0, new java.math.BigDecimal("0.1").compareTo(Quantity.getAmountInBytes(compute.getResources().getRequests().get("cpu"))));

        vm = await(WAIT, "request consumed, Starting", () -> vm("vm-cirros"),
                v -> v.getStatus().stateChangeRequests() == null && "Starting".equals(v.getStatus().printableStatus()));
        assertEquals(Boolean.TRUE, vm.getStatus().created());
        String vmRv = vm.getMetadata().getResourceVersion();
        String vmiRv = vmi("vm-cirros").getMetadata().getResourceVersion();
        Thread.sleep(1000);
        assertEquals(List.of(vmRv, vmiRv), List.of(vm("vm-cirros").getMetadata().getResourceVersion(), vmi("vm-cirros").getMetadata().getResourceVersion()),
                "settled objects are not rewritten (no reconcile hot loop)");
        List<String> reasons = await(WAIT, "VMI events", () -> cluster.client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> firstVmiUid.equals(e.getInvolvedObject().getUid())).map(e -> e.getReason()).toList(),
                r -> r.containsAll(List.of("Pending", "SuccessfulCreate", "Scheduling", "Scheduled")));
        assertTrue(reasons.contains("Scheduled"), reasons.toString());
    }

    @Test
    @Order(3)
    void nodeAgentReportsRunningVmIsRunningAndReady() throws Exception {
        nodeAgentReports("vm-cirros", "Running", true);
        VirtualMachineResource vm = await(WAIT, "VM Running and ready", () -> vm("vm-cirros"),
                v -> "Running".equals(v.getStatus().printableStatus()) && Boolean.TRUE.equals(v.getStatus().ready()));
        assertEquals("True", vmCondition(vm, "Ready").status());
        assertNull(vmCondition(vm, "RestartRequired"));
        String out = cluster.kubectl.ok("get", "vm", "vm-cirros");
        assertTrue(out.lines().skip(1).findFirst().orElseThrow().matches("vm-cirros\\s+\\S+\\s+Running\\s+True\\s*"), out);
    }

    @Test
    @Order(4)
    void pausedGuestShowsPaused() throws Exception {
        String now = Instant.now().toString();
        String conditions = "[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"" + now + "\"},"
                + "{\"type\":\"Paused\",\"status\":\"True\",\"reason\":\"PausedByUser\",\"lastTransitionTime\":\"" + now + "\"}]";
        patchVmiStatus("vm-cirros", "{\"status\":{\"conditions\":" + conditions + "}}");
        VirtualMachineResource vm = await(WAIT, "Paused", () -> vm("vm-cirros"), v -> "Paused".equals(v.getStatus().printableStatus()));
        assertEquals("True", vmCondition(vm, "Paused").status());
        nodeAgentReports("vm-cirros", "Running", true);
        vm = await(WAIT, "Running again", () -> vm("vm-cirros"), v -> "Running".equals(v.getStatus().printableStatus()));
        assertNull(vmCondition(vm, "Paused"));
    }

    @Test
    @Order(5)
    void templateChangeWhileRunningRequiresRestart() throws Exception {
        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"tier\":\"web\"}}}}}");
        VirtualMachineResource vm = await(WAIT, "RestartRequired", () -> vm("vm-cirros"), v -> vmCondition(v, "RestartRequired") != null);
        assertEquals("True", vmCondition(vm, "RestartRequired").status());
        assertEquals("Running", vm.getStatus().printableStatus());
    }

    @Test
    @Order(6)
    void stopRequestDeletesVmiAndPod() throws Exception {
        requestStateChange("vm-cirros", "[{\"action\":\"Stop\",\"uid\":\"" + firstVmiUid + "\"}]");
        await(WAIT, "VMI gone", () -> vmi("vm-cirros"), v -> v == null);
        VirtualMachineResource vm = await(WAIT, "VM Stopped", () -> vm("vm-cirros"),
                v -> "Stopped".equals(v.getStatus().printableStatus()) && v.getStatus().stateChangeRequests() == null);
        assertNull(vm.getStatus().created());
        assertNull(vmCondition(vm, "RestartRequired"), "no VMI, nothing to restart");
        await(WAIT, "launcher pod gone", () -> cluster.client.pods().inNamespace("default").withLabel("kubevirt.io/created-by", firstVmiUid).list().getItems(),
                List::isEmpty);
    }

    @Test
    @Order(7)
    void alwaysReplacesAFailedVmiAfterACrashLoopBackoff() throws Exception {
        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
        VirtualMachineInstanceResource first = await(WAIT, "VMI Scheduled", () -> vmi("vm-cirros"),
                v -> v != null && v.getStatus() != null && "Scheduled".equals(v.getStatus().phase()));
        assertNotEquals(firstVmiUid, first.getMetadata().getUid());
        nodeAgentReports("vm-cirros", "Failed", false);
        VirtualMachineResource vm = await(WAIT, "CrashLoopBackOff", () -> vm("vm-cirros"),
                v -> "CrashLoopBackOff".equals(v.getStatus().printableStatus()));
        assertEquals(1, vm.getStatus().startFailure().consecutiveFailCount());
        assertEquals(first.getMetadata().getUid(), vm.getStatus().startFailure().lastFailedVMIUID());
        Instant retryAfter = Instant.parse(vm.getStatus().startFailure().retryAfterTimestamp());
        Condition cause = vmCondition(vm, "Failure");
        assertEquals(List.of("True", "CrashLoopBackOff"), List.of(cause.status(), cause.reason()));
        assertTrue(cause.message().startsWith("VMI vm-cirros failed (") && cause.message().endsWith("failure 1, next start after "
                + vm.getStatus().startFailure().retryAfterTimestamp()), "the cause in the condition: " + cause.message());
        VirtualMachineInstanceResource second = await(WAIT, "a new VMI after the backoff", () -> vmi("vm-cirros"),
                v -> v != null && !v.getMetadata().getUid().equals(first.getMetadata().getUid()));
        assertTrue(!Instant.parse(second.getMetadata().getCreationTimestamp()).isBefore(retryAfter.minusSeconds(1)),
                "created at " + second.getMetadata().getCreationTimestamp() + ", backoff until " + retryAfter);

        await(WAIT, "second VMI Scheduled", () -> vmi("vm-cirros"), v -> v.getStatus() != null && "Scheduled".equals(v.getStatus().phase()));
        Instant failedAt = Instant.now();
        nodeAgentReports("vm-cirros", "Failed", false);
        vm = await(WAIT, "second failure counted", () -> vm("vm-cirros"),
                v -> v.getStatus().startFailure() != null && v.getStatus().startFailure().consecutiveFailCount() == 2);
        assertEquals("CrashLoopBackOff", vm.getStatus().printableStatus());
        Duration delay = Duration.between(failedAt, Instant.parse(vm.getStatus().startFailure().retryAfterTimestamp()));
        assertTrue(delay.compareTo(Duration.ofSeconds(5)) > 0 && delay.compareTo(Duration.ofSeconds(8)) < 0, "second delay doubles to 6 s: " + delay);
        Instant secondRetry = Instant.parse(vm.getStatus().startFailure().retryAfterTimestamp());
        VirtualMachineInstanceResource third = await(WAIT, "a third VMI after the longer backoff", () -> vmi("vm-cirros"),
                v -> v != null && !v.getMetadata().getUid().equals(second.getMetadata().getUid()));
        assertTrue(!Instant.parse(third.getMetadata().getCreationTimestamp()).isBefore(secondRetry.minusSeconds(1)),
                "created at " + third.getMetadata().getCreationTimestamp() + ", backoff until " + secondRetry);
    }

    @Test
    @Order(8)
    void rerunOnFailureLeavesASucceededVmiStopped() throws Exception {
        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"RerunOnFailure\"}}");
        VirtualMachineInstanceResource vmi = await(WAIT, "VMI Scheduled", () -> vmi("vm-cirros"),
                v -> v != null && v.getStatus() != null && "Scheduled".equals(v.getStatus().phase()));
        nodeAgentReports("vm-cirros", "Running", true);
        await(WAIT, "Running", () -> printable("vm-cirros"), "Running"::equals);
        nodeAgentReports("vm-cirros", "Succeeded", false);
        await(WAIT, "Stopped", () -> printable("vm-cirros"), "Stopped"::equals);
        Thread.sleep(1500);
        VirtualMachineInstanceResource after = vmi("vm-cirros");
        assertEquals(vmi.getMetadata().getUid(), after.getMetadata().getUid(), "a Succeeded VMI is not replaced under RerunOnFailure");
        assertEquals("Stopped", printable("vm-cirros"));
    }

    @Test
    @Order(9)
    void haltedDeletesTheVmi() throws Exception {
        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Halted\"}}");
        await(WAIT, "VMI gone", () -> vmi("vm-cirros"), v -> v == null);
        await(WAIT, "Stopped", () -> printable("vm-cirros"), "Stopped"::equals);
    }


    @Test
    @Order(10)
    void legacyRunningTrueStartsAndFalseStops() throws Exception {
        String yaml = java.nio.file.Files.readString(EXAMPLES.resolve("vm-cirros.yaml"))
                .replace("name: vm-cirros", "name: vm-legacy").replace("runStrategy: Halted", "running: true");
        Path file = cluster.dir.resolve("vm-legacy.yaml");
        java.nio.file.Files.writeString(file, yaml);
        cluster.kubectl.ok("apply", "-f", file.toString());
        await(WAIT, "VMI Scheduled", () -> vmi("vm-legacy"), v -> v != null && v.getStatus() != null && "Scheduled".equals(v.getStatus().phase()));
        assertEquals("Always", vm("vm-legacy").getStatus().runStrategy());
        cluster.kubectl.ok("patch", "vm", "vm-legacy", "--type=merge", "-p", "{\"spec\":{\"running\":false}}");
        await(WAIT, "VMI gone", () -> vmi("vm-legacy"), v -> v == null);
        await(WAIT, "Stopped", () -> printable("vm-legacy"), "Stopped"::equals);
        assertEquals("Halted", vm("vm-legacy").getStatus().runStrategy());
    }

    @Test
    @Order(11)
    void onceIsNeverRestarted() throws Exception {
        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Once\"}}");
        VirtualMachineInstanceResource vmi = await(WAIT, "VMI Scheduled", () -> vmi("vm-cirros"),
                v -> v != null && v.getStatus() != null && "Scheduled".equals(v.getStatus().phase()));
        nodeAgentReports("vm-cirros", "Failed", false);
        await(WAIT, "Stopped", () -> printable("vm-cirros"), "Stopped"::equals);
        Thread.sleep(1500);
        assertEquals(vmi.getMetadata().getUid(), vmi("vm-cirros").getMetadata().getUid(), "Once keeps the failed VMI and starts no other");
        assertNull(vm("vm-cirros").getStatus().startFailure());
    }

    /** Holds or releases the VMI's launcher pod with a finalizer, as a node agent does until the launcher has exited. */
    static void holdPod(String vmiUid, boolean hold) {
        Pod pod = cluster.client.pods().inNamespace("default").withLabel("kubevirt.io/created-by", vmiUid).list().getItems().getFirst();
        String finalizers = hold ? "[\"test.jvirt.io/launcher-running\"]" : "null";
        cluster.nodeAgent.pods().inNamespace("default").withName(pod.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":" + finalizers + "}}");
    }

    @Test
    @Order(12)
    void stoppingAndTerminatingShowWhileTheLauncherPodIsHeld() throws Exception {
        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Halted\"}}");
        await(WAIT, "Once's VMI gone", () -> vmi("vm-cirros"), v -> v == null);
        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
        VirtualMachineInstanceResource vmi = await(WAIT, "VMI Scheduled", () -> vmi("vm-cirros"),
                v -> v != null && v.getStatus() != null && "Scheduled".equals(v.getStatus().phase()));
        String uid = vmi.getMetadata().getUid();
        nodeAgentReports("vm-cirros", "Running", true);
        await(WAIT, "Running", () -> printable("vm-cirros"), "Running"::equals);
        holdPod(uid, true);

        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Halted\"}}");
        await(WAIT, "Stopping while the pod is held", () -> printable("vm-cirros"), "Stopping"::equals);
        assertTrue(vmi("vm-cirros").getMetadata().getDeletionTimestamp() != null);
        holdPod(uid, false);
        await(WAIT, "VMI gone once the pod is", () -> vmi("vm-cirros"), v -> v == null);
        await(WAIT, "Stopped", () -> printable("vm-cirros"), "Stopped"::equals);

        cluster.kubectl.ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
        String second = await(WAIT, "VMI Scheduled", () -> vmi("vm-cirros"),
                v -> v != null && v.getStatus() != null && "Scheduled".equals(v.getStatus().phase())).getMetadata().getUid();
        holdPod(second, true);
        cluster.kubectl.ok("delete", "vm", "vm-cirros", "--cascade=foreground", "--wait=false");
        await(WAIT, "Terminating", () -> printable("vm-cirros"), "Terminating"::equals);
        holdPod(second, false);
        await(WAIT, "VM gone", () -> vm("vm-cirros"), v -> v == null);
        assertNull(vmi("vm-cirros"));
    }

    @Test
    @Order(13)
    void aVmiOfTheSameNameNotOwnedByTheVmIsAFailure() throws Exception {
        String vmiYaml = """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: vm-foreign
                spec:
                  domain:
                    devices: {}
                    memory:
                      guest: 64Mi
                """;
        Path vmiFile = cluster.dir.resolve("vmi-foreign.yaml");
        java.nio.file.Files.writeString(vmiFile, vmiYaml);
        cluster.kubectl.ok("apply", "-f", vmiFile.toString());
        String yaml = java.nio.file.Files.readString(EXAMPLES.resolve("vm-cirros.yaml"))
                .replace("name: vm-cirros", "name: vm-foreign").replace("runStrategy: Halted", "runStrategy: Always");
        Path vmFile = cluster.dir.resolve("vm-foreign.yaml");
        java.nio.file.Files.writeString(vmFile, yaml);
        cluster.kubectl.ok("apply", "-f", vmFile.toString());
        VirtualMachineResource vm = await(WAIT, "Failure condition", () -> vm("vm-foreign"), v -> v.getStatus() != null && vmCondition(v, "Failure") != null);
        assertEquals("VMIExists", vmCondition(vm, "Failure").reason());
        VirtualMachineInstanceResource vmi = vmi("vm-foreign");
        assertTrue(vmi.getMetadata().getOwnerReferences() == null || vmi.getMetadata().getOwnerReferences().isEmpty(), "the VM does not adopt it");
        assertNull(vmi.getMetadata().getDeletionTimestamp(), "nor delete it");
    }
}
