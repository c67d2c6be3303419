package io.jvirt.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.api.v1.Finalizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt's deletion order with the real parts: the controller process, this node agent, QEMU (the pod's one process) running
 * the demo guest, and the stock kubectl watching. {@code kubectl delete vmi --wait=false} on a running guest: the VMI
 * is still listed, with its deletionTimestamp, while the guest shuts down (ACPI, within the grace period), and it
 * disappears only after QEMU has exited and the agent has torn the pod down.
 */
class DeletionOrderIT {
    /** One watch event as kubectl printed it, and what the host looked like when it arrived. */
    record Seen(String type, boolean deleting, String phase, Instant at, boolean qemuAlive) {}

    @Test
    void aDeletedVmiStaysUntilItsGuestIsDownAndQemuHasExited() throws Exception {
        assumeTrue(ControlPlaneFixture.demoImageBuilt(), "demo containerDisk not built (images/demo/build.sh)");
        try (ControlPlaneFixture cp = ControlPlaneFixture.start()) {
            Path manifest = cp.data.resolve("vmi.yaml");
            Files.writeString(manifest, """
                    apiVersion: kubevirt.io/v1
                    kind: VirtualMachineInstance
                    metadata:
                      name: vmi-delete
                    spec:
                      terminationGracePeriodSeconds: 60
                      domain:
                        memory: {guest: 128Mi}
                        devices:
                          disks:
                            - name: containerdisk
                              disk: {bus: virtio}
                      volumes:
                        - name: containerdisk
                          containerDisk:
                            image: quay.io/kubevirt/cirros-container-disk-demo:latest
                    """);
            cp.api.kubectl("apply", "-f", manifest.toString());
            GenericKubernetesResource vmi = Waits.until("VMI Running", Duration.ofSeconds(120),
                    () -> { GenericKubernetesResource v = cp.vmi("vmi-delete"); return v != null && "Running".equals(VmiStatusView.status(v).get("phase")) ? v : null; });
            Pod pod = cp.launcherPod(vmi.getMetadata().getUid());
            assertTrue(pod.getMetadata().getFinalizers().contains(Finalizers.LAUNCHER_POD), "the controller made the pod with the agent's finalizer");
            Path serial = cp.agent.pods().paths(pod.getMetadata().getUid()).runDirectory().resolve("serial.log");
            Waits.until("the guest's login prompt (it answers the power button from here)", Duration.ofSeconds(180),
                    () -> TestFiles.read(serial).contains("login:"));
            long qemu = cp.qemuPid(pod.getMetadata().getUid());
            CompletableFuture<Instant> qemuExited = ProcessHandle.of(qemu).orElseThrow().onExit().thenApply(h -> Instant.now());

            Process watch = new ProcessBuilder("kubectl", "--kubeconfig", cp.api.kubeconfig().toString(), "get", "vmi", "vmi-delete",
                    "--watch", "--output-watch-events", "-o", "json").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<Seen> seen = new CopyOnWriteArrayList<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (MappingIterator<JsonNode> events = new ObjectMapper().readerFor(JsonNode.class).readValues(watch.getInputStream())) {
                    while (events.hasNext()) {
                        JsonNode e = events.next();
                        JsonNode o = e.path("object");
                        seen.add(new Seen(e.path("type").asText(), o.path("metadata").has("deletionTimestamp"),
                                o.path("status").path("phase").asText(), Instant.now(), Files.exists(Path.of("/proc/" + qemu))));
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // the watch ended
                }
            });
            try {
                Waits.until("kubectl's watch sees the VMI", Duration.ofSeconds(30), () -> !seen.isEmpty());
                cp.api.kubectl("delete", "vmi", "vmi-delete", "--wait=false");
                Waits.until("kubectl's watch sees the VMI go", Duration.ofSeconds(120), () -> seen.stream().anyMatch(s -> s.type().equals("DELETED")));
            } finally {
                watch.destroy();
                reader.join(Duration.ofSeconds(10));
            }
            Seen marked = seen.stream().filter(Seen::deleting).findFirst().orElseThrow(() -> new AssertionError("no deletionTimestamp seen: " + seen));
            Seen deleted = seen.stream().filter(s -> s.type().equals("DELETED")).findFirst().orElseThrow();
            assertEquals("Running", marked.phase(), "listed with its deletionTimestamp while the guest still ran: " + seen);
            assertTrue(marked.qemuAlive(), "QEMU still ran when the deletionTimestamp was seen: " + seen);
            assertTrue(qemuExited.isDone() && !qemuExited.get().isBefore(marked.at()), "QEMU exited after that: " + seen);
            assertFalse(deleted.qemuAlive(), "QEMU had exited when the VMI disappeared: " + seen);
            assertTrue(seen.indexOf(marked) < seen.indexOf(deleted), "deletionTimestamp first, then gone: " + seen);
            assertTrue(cp.api.client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get() == null, "the pod is gone too");
            assertFalse(cp.agent.pods().scope().cgroup(pod.getMetadata().getUid()).exists(), "its cgroup went before");
            assertFalse(Files.exists(cp.agent.pods().paths(pod.getMetadata().getUid()).runDirectory()), "and its run directory");
        }
    }
}
