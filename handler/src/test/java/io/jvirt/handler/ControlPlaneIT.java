package io.jvirt.handler;

import static io.jvirt.handler.TestFiles.read;
import static io.jvirt.handler.VmiStatusView.status;
import static io.jvirt.handler.VmiStatusView.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.handler.vmi.VmiAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The product flow on one machine: the embedded API server, the real controller process
 * ({@code io.jvirt.controller.ControllerMain}, started from the test class path, never imported)
 * with its scheduler, and this node agent running QEMU as each launcher pod's one process. The project's
 * {@code examples/vm-cirros.yaml} applied unmodified; started and stopped by changing its runStrategy.
 */
class ControlPlaneIT {
    private static final Path EXAMPLES = Path.of(System.getProperty("jvirt.examples.dir", "../examples"));

    @Test
    void vmCirrosStartsRunsIsReplacedAfterQemuDiesAndStops() throws Exception {
        assumeTrue(ControlPlaneFixture.demoImageBuilt(), "demo containerDisk not built (images/demo/build.sh)");
        try (ControlPlaneFixture cp = ControlPlaneFixture.start()) {
            EmbeddedApi api = cp.api;
            java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").inform(
                    new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                        public void onAdd(GenericKubernetesResource o) { seen.add(String.valueOf(status(o))); }
                        public void onUpdate(GenericKubernetesResource a, GenericKubernetesResource o) { seen.add(String.valueOf(status(o))); }
                        public void onDelete(GenericKubernetesResource o, boolean b) { }
                    });
            api.kubectl("apply", "-f", EXAMPLES.resolve("vm-cirros.yaml").toString());
            Waits.until("VM Stopped", Duration.ofSeconds(60), () -> "Stopped".equals(printableStatus(api)));

            api.kubectl("patch", "vm", "vm-cirros", "--type", "merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
            GenericKubernetesResource vmi;
            try {
                vmi = waitVmiRunning(api, null);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nVMI: " + status(cp.vmi("vm-cirros")) + "\nVMI statuses seen: " + String.join("\n", seen)
                        + "\nVM: " + api.kubectl("get", "vm", "vm-cirros", "-o", "yaml") + "\nevents: " + api.kubectl("get", "events")
                        + "\npods: " + api.kubectl("get", "pods", "-o", "wide") + "\ncontroller log: " + cp.controllerLog(), e);
            }
            Waits.until("VM Running", Duration.ofSeconds(60), () -> "Running".equals(printableStatus(api)));
            assertEquals(ControlPlaneFixture.NODE, status(vmi).get("nodeName"));
            assertEquals("True", condition(vmi, "Ready"));
            assertEquals("True", condition(vmi, "SoftwareEmulation"));
            Pod pod = cp.launcherPod(vmi.getMetadata().getUid());
            Path serial = cp.agent.pods().paths(pod.getMetadata().getUid()).runDirectory().resolve("serial.log");
            Waits.until("user data on the console", Duration.ofSeconds(120), () -> read(serial).contains("jvirt example: user data ran"));

            long qemu = cp.qemuPid(pod.getMetadata().getUid());
            new ProcessBuilder("kill", "-9", Long.toString(qemu)).start().waitFor();
            GenericKubernetesResource second = waitVmiRunning(api, vmi.getMetadata().getUid());
            assertNotEquals(vmi.getMetadata().getUid(), second.getMetadata().getUid(), "runStrategy Always made a new VMI");

            Pod secondPod = cp.launcherPod(second.getMetadata().getUid());
            long secondQemu = cp.qemuPid(secondPod.getMetadata().getUid());
            api.kubectl("patch", "vm", "vm-cirros", "--type", "merge", "-p", "{\"spec\":{\"runStrategy\":\"Halted\"}}");
            Waits.until("VM Stopped again", Duration.ofSeconds(90), () -> "Stopped".equals(printableStatus(api)));
            Waits.until("QEMU gone", Duration.ofSeconds(60), () -> !Files.exists(Path.of("/proc/" + secondQemu)));
            Waits.until("cgroup removed", Duration.ofSeconds(60), () -> !cp.agent.pods().scope().cgroup(secondPod.getMetadata().getUid()).exists());
        }
    }

    private static GenericKubernetesResource waitVmiRunning(EmbeddedApi api, String notUid) throws InterruptedException {
        return Waits.until("VMI vm-cirros Running", Duration.ofSeconds(notUid == null ? 60 : 180), () -> {
            GenericKubernetesResource v = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName("vm-cirros").get();
            return v != null && !v.getMetadata().getUid().equals(notUid) && "Running".equals(status(v).get("phase")) ? v : null;
        });
    }

    private static String printableStatus(EmbeddedApi api) {
        GenericKubernetesResource vm = api.client.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine").inNamespace("default")
                .withName("vm-cirros").get();
        return vm == null ? null : String.valueOf(status(vm).get("printableStatus"));
    }
}
