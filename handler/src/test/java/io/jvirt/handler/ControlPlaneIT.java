package io.jvirt.handler;

import static io.jvirt.handler.TestFiles.read;
import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.VmiStatusView.status;
import static io.jvirt.handler.VmiStatusView.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.handler.vmi.VmiAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The product flow on one machine: the embedded API server, the real controller process
 * ({@code io.jvirt.controller.ControllerMain}, started from the test class path, never imported)
 * with its scheduler, and this node agent running the real launcher and QEMU. The project's
 * {@code examples/vm-cirros.yaml} applied unmodified; started and stopped by changing its runStrategy.
 */
class ControlPlaneIT {
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private static final Path EXAMPLES = Path.of(System.getProperty("jvirt.examples.dir", "../examples"));

    @Test
    void vmCirrosStartsRunsIsReplacedAfterQemuDiesAndStops() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        Path data = Files.createTempDirectory("jvirt-handler-cp");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // QEMU (nobody) passes
        String java = ProcessHandle.current().info().command().orElseThrow();
        try (EmbeddedApi api = EmbeddedApi.start()) {
            Process controller = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    "io.jvirt.controller.ControllerMain", api.kubeconfig(ComponentIdentity.CONTROLLER).toString(),
                    "--scheduler-kubeconfig", api.kubeconfig(ComponentIdentity.SCHEDULER).toString())
                    .redirectErrorStream(true).redirectOutput(data.resolve("controller.log").toFile()).start();
            List<String> launcher = List.of("env", "MALLOC_ARENA_MAX=1", java, "-Xms4m", "-Xmx24m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.jvirt.launcher.LauncherMain");
            HandlerConfig config = HandlerConfig.defaults("node-cp", data.resolve("node"), BUILD).withLauncherCommand(launcher)
                    .withHeartbeat(Duration.ofSeconds(2));
            NodeAgent agent = new NodeAgent(api.nodeAgent, config);
            try {
                agent.start();
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
                    throw new AssertionError(e.getMessage() + "\nVMI: " + status(api.client.genericKubernetesResources(VmiAgent.VMI)
                            .inNamespace("default").withName("vm-cirros").get()) + "\nVMI statuses seen: " + String.join("\n", seen) + "\nVM: " + api.kubectl("get", "vm", "vm-cirros", "-o", "yaml") + "\nevents: " + api.kubectl("get", "events")
                            + "\npods: " + api.kubectl("get", "pods", "-o", "wide")
                            + "\ncontroller log: " + read(data.resolve("controller.log")), e);
                }
                Waits.until("VM Running", Duration.ofSeconds(60), () -> "Running".equals(printableStatus(api)));
                assertEquals("node-cp", status(vmi).get("nodeName"));
                assertEquals("True", condition(vmi, "Ready"));
                assertEquals("True", condition(vmi, "SoftwareEmulation"));
                Pod pod = launcherPod(api, vmi.getMetadata().getUid());
                Path serial = agent.pods().paths(pod.getMetadata().getUid()).runDirectory().resolve("serial.log");
                Waits.until("user data on the console", Duration.ofSeconds(120), () -> read(serial).contains("jvirt example: user data ran"));

                long qemu = qemuPid(agent, pod.getMetadata().getUid());
                new ProcessBuilder("kill", "-9", Long.toString(qemu)).start().waitFor();
                GenericKubernetesResource second = waitVmiRunning(api, vmi.getMetadata().getUid());
                assertNotEquals(vmi.getMetadata().getUid(), second.getMetadata().getUid(), "runStrategy Always made a new VMI");

                Pod secondPod = launcherPod(api, second.getMetadata().getUid());
                long secondQemu = qemuPid(agent, secondPod.getMetadata().getUid());
                api.kubectl("patch", "vm", "vm-cirros", "--type", "merge", "-p", "{\"spec\":{\"runStrategy\":\"Halted\"}}");
                Waits.until("VM Stopped again", Duration.ofSeconds(90), () -> "Stopped".equals(printableStatus(api)));
                Waits.until("QEMU gone", Duration.ofSeconds(60), () -> !Files.exists(Path.of("/proc/" + secondQemu)));
                Waits.until("cgroup removed", Duration.ofSeconds(60), () -> !agent.pods().scope().cgroup(secondPod.getMetadata().getUid()).exists());
            } finally {
                api.client.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine").inNamespace("default").delete();
                api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").delete();
                api.deletePods();
                Waits.until("pods cleaned up", Duration.ofSeconds(60), () -> noPodsIn(data.resolve("node/pods")));
                agent.close();
                controller.destroy();
                controller.waitFor(20, TimeUnit.SECONDS);
                controller.destroyForcibly();
            }
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static GenericKubernetesResource waitVmiRunning(EmbeddedApi api, String notUid) throws InterruptedException {
        return Waits.until("VMI vm-cirros Running", Duration.ofSeconds(notUid == null ? 60 : 180), () -> {
            GenericKubernetesResource v = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName("vm-cirros").get();
            return v != null && !v.getMetadata().getUid().equals(notUid) && "Running".equals(status(v).get("phase")) ? v : null;
        });
    }

    private static Pod launcherPod(EmbeddedApi api, String vmiUid) throws InterruptedException {
        return Waits.until("launcher pod of " + vmiUid, Duration.ofSeconds(30), () -> api.client.pods().inNamespace("default")
                .withLabel("kubevirt.io/created-by", vmiUid).list().getItems().stream().findFirst().orElse(null));
    }

    private static String printableStatus(EmbeddedApi api) {
        GenericKubernetesResource vm = api.client.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine").inNamespace("default")
                .withName("vm-cirros").get();
        return vm == null ? null : String.valueOf(status(vm).get("printableStatus"));
    }

    private static long qemuPid(NodeAgent agent, String podUid) throws IOException {
        for (long pid : agent.pods().scope().cgroup(podUid).pids()) {
            try {
                if (Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).getFileName().toString().startsWith("qemu-system")) {
                    return pid;
                }
            } catch (IOException e) {
                // gone
            }
        }
        throw new AssertionError("no QEMU in the pod's cgroup");
    }
}
