package io.jvirt.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.registry.LoopbackRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Why a VMI did not start reaches the user, with the real controller process, this node agent and the stock kubectl
 * ({@code kubectl get vm}, {@code describe vmi}, {@code logs}): the node's message in the VMI's {@code Synchronized}
 * condition and a Warning event, the VM's printableStatus as KubeVirt shows it, and the launcher pod kept with its
 * final status until the VMI is gone. Nothing here boots a guest.
 */
class FailureReasonsIT {
    /** A containerDisk named in a real registry (Debian's docker-registry on loopback) that does not hold it. */
    @Test
    void aContainerDiskThatDoesNotExistIsErrImagePullWithTheNodesMessageWithinTenSeconds() throws Exception {
        try (LoopbackRegistry registry = LoopbackRegistry.start(null); ControlPlaneFixture cp = ControlPlaneFixture.start()) {
            String image = registry.host() + "/nobody/no-such-disk:1";
            Path manifest = cp.data.resolve("vm.yaml");
            Files.writeString(manifest, """
                    apiVersion: kubevirt.io/v1
                    kind: VirtualMachine
                    metadata:
                      name: vm-missing-image
                    spec:
                      runStrategy: Always
                      template:
                        spec:
                          domain:
                            memory: {guest: 64Mi}
                            devices:
                              disks:
                                - name: containerdisk
                                  disk: {bus: virtio}
                          volumes:
                            - name: containerdisk
                              containerDisk:
                                image: %s
                    """.formatted(image));
            cp.api.kubectl("apply", "-f", manifest.toString());
            Waits.until("the VM's VMI", Duration.ofSeconds(30), () -> cp.vmi("vm-missing-image"));
            Instant created = Instant.now(); // from here: the node's answer within 10 s
            String message = "Failed to pull image \"" + image + "\": ";
            try {
                Waits.until("VM ErrImagePull and the node's message in describe vmi", Duration.ofSeconds(10),
                        () -> printableStatus(cp).equals("ErrImagePull") && cp.kubectlOrEmpty("describe", "vmi", "vm-missing-image").contains(message));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + " (" + Duration.between(created, Instant.now()).toMillis() + " ms)\n"
                        + cp.api.kubectl("get", "vm", "vm-missing-image", "-o", "yaml") + cp.api.kubectl("describe", "vmi", "vm-missing-image")
                        + cp.api.kubectl("get", "pods", "-o", "yaml") + cp.controllerLog(), e);
            }
            String describe = cp.api.kubectl("describe", "vmi", "vm-missing-image");
            assertTrue(describe.matches("(?s).*Warning\\s+ErrImagePull\\s+.*" + java.util.regex.Pattern.quote(message) + ".*"), "the event: " + describe);
            String vm = cp.api.kubectl("get", "vm", "vm-missing-image", "-o", "jsonpath={.status.conditions[?(@.type==\"Synchronized\")].message}");
            assertTrue(vm.contains(message), "the VM's condition says why: " + vm);
            Pod pod = cp.launcherPod(cp.vmi("vm-missing-image").getMetadata().getUid());
            assertEquals("Pending", cp.api.client.pods().resource(pod).get().getStatus().getPhase(), "the pod waits for the image, as kubelet's would");
            assertTrue(cp.api.kubectl("get", "pod", pod.getMetadata().getName(), "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}")
                    .contains(message), "the pod's container waits with the node's message");
            // the node tries again after 10 s: the retry that fails again is ImagePullBackOff
            Waits.until("ImagePullBackOff after the retry", Duration.ofSeconds(30), () -> printableStatus(cp).equals("ImagePullBackOff"));
        }
    }

    private static String printableStatus(ControlPlaneFixture cp) {
        return cp.kubectlOrEmpty("get", "vm", "vm-missing-image", "-o", "jsonpath={.status.printableStatus}");
    }

    @Test
    void aVolumeTheNodeCannotPrepareFailsTheVmiWithTheNodesMessageAndThePodKeepsItsLog() throws Exception {
        try (ControlPlaneFixture cp = ControlPlaneFixture.start()) {
            Path manifest = cp.data.resolve("vmi.yaml");
            Files.writeString(manifest, """
                    apiVersion: kubevirt.io/v1
                    kind: VirtualMachineInstance
                    metadata:
                      name: vmi-unprepared
                    spec:
                      domain:
                        memory: {guest: 64Mi}
                        devices:
                          disks:
                            - name: sp
                              cdrom: {bus: sata}
                      volumes:
                        - name: sp
                          sysprep: {configMap: {name: unattend}}
                    """);
            cp.api.kubectl("apply", "-f", manifest.toString());
            String message = "volume sp: this node prepares containerDisk, emptyDisk, persistentVolumeClaim, dataVolume, ephemeral, hostDisk, "
                    + "configMap, secret, serviceAccount, downwardAPI and cloud-init volumes only";
            Waits.until("VMI Failed", Duration.ofSeconds(30), () -> {
                var v = cp.vmi("vmi-unprepared");
                return v != null && "Failed".equals(VmiStatusView.status(v).get("phase"));
            });
            String describe = Waits.until("the node's message in describe vmi", Duration.ofSeconds(10), () -> {
                String d = cp.kubectlOrEmpty("describe", "vmi", "vmi-unprepared");
                return d.contains(message) ? d : null;
            });
            assertTrue(describe.contains("StartError"), describe);
            Pod pod = cp.launcherPod(cp.vmi("vmi-unprepared").getMetadata().getUid());
            assertEquals("Failed", cp.api.client.pods().resource(pod).get().getStatus().getPhase(), "the pod stays, Failed, while the VMI does");
            assertTrue(cp.api.kubectl("logs", pod.getMetadata().getName()).contains(message), "and kubectl logs says why");
        }
    }
}
