package io.jvirt.controller;

import static io.jvirt.controller.EmbeddedCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.api.v1.Finalizers;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.vm.CrashLoopBackoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt's deletion order on the controller's side, against the real API server and kubectl: a VMI keeps
 * its finalizer until its launcher pod is gone, and the pod (created with {@link Finalizers#LAUNCHER_POD}) goes only
 * when its node agent lets it go — or, when no agent will (never bound, Node deleted), when the controller does.
 * The nodes here run nothing; the fixture plays their agents ({@link EmbeddedCluster#agentsDown}).
 */
class LauncherPodDeletionIT {
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

    private static VirtualMachineInstanceResource vmi(String name) {
        return cluster.client.resources(VirtualMachineInstanceResource.class).inNamespace("default").withName(name).get();
    }

    private static Pod pod(String vmiUid) {
        return cluster.client.pods().inNamespace("default").withLabel("kubevirt.io/created-by", vmiUid).list().getItems().stream()
                .findFirst().orElse(null);
    }

    /** Applies a small VMI {@code name} with {@code extra} lines in its spec; returns it once its pod exists. */
    private static VirtualMachineInstanceResource apply(String name, String extra) throws Exception {
        Path f = cluster.dir.resolve(name + ".yaml");
        Files.writeString(f, """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: %s
                spec:
                  terminationGracePeriodSeconds: 20
                  domain:
                    memory: {guest: 64Mi}
                    devices: {}
                %s""".formatted(name, extra));
        cluster.kubectl.ok("apply", "-f", f.toString());
        VirtualMachineInstanceResource v = await(WAIT, "VMI " + name, () -> vmi(name), x -> x != null && x.getMetadata().getUid() != null);
        await(WAIT, "launcher pod of " + name, () -> pod(v.getMetadata().getUid()), p -> p != null);
        return v;
    }

    @Test
    void aDeletedVmiWaitsForItsPodAndThePodForItsNodeAgent() throws Exception {
        cluster.agentsDown.add("node-1");
        VirtualMachineInstanceResource created = apply("held", "");
        String uid = created.getMetadata().getUid();
        Pod pod = await(WAIT, "pod bound", () -> pod(uid), p -> "node-1".equals(p.getSpec().getNodeName()));
        assertEquals(List.of(Finalizers.LAUNCHER_POD), pod.getMetadata().getFinalizers());
        assertTrue(vmi("held").getMetadata().getFinalizers().contains(Finalizers.VMI), "KubeVirt's VMI finalizer");

        cluster.kubectl.ok("delete", "vmi", "held", "--wait=false");
        // the controller deleted the pod after the VMI: from here each waits on the other
        Pod deleting = await(WAIT, "pod being deleted", () -> pod(uid), p -> p != null && p.getMetadata().getDeletionTimestamp() != null);
        VirtualMachineInstanceResource held = vmi("held");
        assertNotNull(held, "the VMI stays while its pod does");
        assertNotNull(held.getMetadata().getDeletionTimestamp());
        assertTrue(cluster.kubectl.ok("get", "vmi", "held").contains("held"), "still listed");
        assertNotNull(deleting.getMetadata().getFinalizers());

        cluster.kubectl.ok("delete", "node", "node-1"); // the node is gone for good: no agent will tear the pod down
        await(Duration.ofSeconds(60), "pod released by the controller", () -> pod(uid), p -> p == null);
        await(WAIT, "VMI gone after its pod", () -> vmi("held"), v -> v == null);
        cluster.addNode("node-1", "4", "2Gi", Map.of("kubernetes.io/hostname", "node-1"));
        cluster.agentsDown.remove("node-1");
    }

    @Test
    void aPodThatWasNeverBoundIsLetGoByTheController() throws Exception {
        VirtualMachineInstanceResource created = apply("unbound", "  nodeSelector: {jvirt.io/no-such-label: x}\n");
        String uid = created.getMetadata().getUid();
        await(WAIT, "VMI unschedulable", () -> vmi("unbound"), v -> v.getStatus() != null && v.getStatus().conditions() != null
                && v.getStatus().conditions().stream().anyMatch(c -> "PodScheduled".equals(c.type()) && "False".equals(c.status())));
        cluster.kubectl.ok("delete", "vmi", "unbound", "--wait=false");
        await(WAIT, "pod gone", () -> pod(uid), p -> p == null);
        await(WAIT, "VMI gone", () -> vmi("unbound"), v -> v == null);
    }

    @Test
    void aDeletedVmiOnANodeWithItsAgentGoesOnceTheAgentLetsThePodGo() throws Exception {
        VirtualMachineInstanceResource created = apply("orderly", "");
        String uid = created.getMetadata().getUid();
        await(WAIT, "pod bound", () -> pod(uid), p -> "node-1".equals(p.getSpec().getNodeName()));
        cluster.kubectl.ok("delete", "vmi", "orderly", "--wait=false");
        await(WAIT, "pod gone", () -> pod(uid), p -> p == null);
        await(WAIT, "VMI gone", () -> vmi("orderly"), v -> v == null);
    }
}
