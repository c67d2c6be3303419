package io.jvirt.handler.vmi;

import static io.jvirt.handler.TestFiles.read;
import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.VmiStatusView.status;
import static io.jvirt.handler.VmiStatusView.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.handler.HandlerConfig;
import io.jvirt.handler.NodeAgent;
import io.jvirt.handler.Waits;
import io.jvirt.handler.pod.MemoryCgroup;
import io.jvirt.handler.pod.PodPlan;
import io.jvirt.handler.pod.PodRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end on one node: KubeVirt's {@code vmi-ephemeral.yaml} applied unmodified with kubectl
 * (its {@code registry:5000/kubevirt/cirros-container-disk-demo:devel} answered by the demo
 * containerDisk), a launcher pod as the controller makes it bound to the node, the node agent
 * running the real launcher (from the test class path) which runs real QEMU (TCG here).
 */
class VmiLifecycleIT {
    private static final String NODE = "node-vmi";
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private static final Path EXAMPLES = Path.of(System.getProperty("jvirt.reference.dir", "../shared/reference")).resolve("kubevirt-examples");
    private EmbeddedApi api;
    private Path data;
    private NodeAgent agent;
    private HandlerConfig config;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        api = EmbeddedApi.start();
        data = Files.createTempDirectory("jvirt-handler-vmi");
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> launcher = List.of("env", "MALLOC_ARENA_MAX=1", java, "-Xms4m", "-Xmx24m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.jvirt.launcher.LauncherMain");
        config = HandlerConfig.defaults(NODE, data, BUILD).withLauncherCommand(launcher).withHeartbeat(Duration.ofSeconds(2));
        agent = new NodeAgent(api.client, config);
        agent.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (api == null) {
            return;
        }
        api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").delete();
        api.client.pods().inNamespace("default").delete();
        Waits.until("pods cleaned up", Duration.ofSeconds(60), () -> noPodsIn(data.resolve("pods")));
        agent.close();
        api.close();
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void demoVmiRunsSurvivesAgentRestartAndFailsWhenQemuIsKilled() throws Exception {
        api.kubectl("apply", "-f", EXAMPLES.resolve("vmi-ephemeral.yaml").toString());
        GenericKubernetesResource vmi = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName("vmi-ephemeral").get();
        Path standby = Waits.until("a standby launcher", Duration.ofSeconds(30), this::standbyPodDir);
        Pod pod = api.client.pods().inNamespace("default").resource(launcherPod(vmi, "440Mi")).create();

        GenericKubernetesResource running = waitVmi("Running", Duration.ofSeconds(120));
        Map<String, Object> status = status(running);
        assertEquals(NODE, status.get("nodeName"));
        assertEquals("True", condition(running, "Ready"));
        assertEquals("True", condition(running, "SoftwareEmulation"), "KVM does not run guests here, so TCG");
        assertEquals("False", condition(running, "LiveMigratable"));
        assertEquals("Running", api.kubectl("get", "vmi", "vmi-ephemeral", "-o", "jsonpath={.status.phase}"));

        Path run = VmiAgent.runDirectory(pod.getMetadata().getUid());
        Waits.until("guest boot on the serial console", Duration.ofSeconds(120), () -> read(run.resolve("serial.log")).contains("jvirt-demo ready"));
        long qemu = qemuPid(pod.getMetadata().getUid());
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")), Files.readSymbolicLink(Path.of("/proc/" + qemu + "/ns/net")),
                "QEMU runs in the pod's network namespace");
        assertTrue(Files.readString(Path.of("/proc/" + qemu + "/cgroup")).contains("memory:/jvirt/" + pod.getMetadata().getUid()));
        assertTrue(Files.readAllLines(Path.of("/proc/" + qemu + "/status")).contains("Uid:\t65534\t65534\t65534\t65534"),
                "QEMU runs as nobody");
        assertEquals(440L << 20, MemoryCgroup.forPod(pod.getMetadata().getUid()).limitBytes(), "the pod's limit on the claimed cgroup");
        Path podDir = agent.pods().podDir(pod.getMetadata().getUid());
        assertTrue(Files.exists(podDir.resolve("standby")) && Files.exists(podDir.resolve("claim")), "the standby launcher was claimed");
        assertFalse(Files.exists(standby), "its standby directory became the pod's");
        Path next = Waits.until("the next standby launcher", Duration.ofSeconds(30), this::standbyPodDir);
        assertNotEquals(standby, next);

        agent.close();
        agent = new NodeAgent(api.client, config);
        agent.start();
        Thread.sleep(3000);
        assertEquals(qemu, qemuPid(pod.getMetadata().getUid()), "the same QEMU after the agent restart");
        assertEquals("Running", status(vmiNow()).get("phase"));

        new ProcessBuilder("kill", "-9", Long.toString(qemu)).start().waitFor();
        GenericKubernetesResource failed = waitVmi("Failed", Duration.ofSeconds(60));
        String reason = String.valueOf(status(failed).get("reason"));
        assertFalse(reason.isBlank() || reason.equals("null"), "a reason: " + status(failed));
        Waits.until("launcher pod Failed", Duration.ofSeconds(30), () -> "Failed".equals(
                api.client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get().getStatus().getPhase()));
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !MemoryCgroup.forPod(pod.getMetadata().getUid()).exists());
    }

    /** The pod directory of the node's standby launcher, once its process runs; null before. */
    private Path standbyPodDir() {
        try (Stream<Path> dirs = Files.list(data.resolve("pods"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("standby-") && Files.exists(d.resolve("state.json")))
                    .findFirst().orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Test
    void nocloudExampleBootsWithUserDataPausesAndPodDeletionStopsEverything() throws Exception {
        api.kubectl("apply", "-f", EXAMPLES.resolve("vmi-nocloud.yaml").toString());
        GenericKubernetesResource vmi = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName("vmi-nocloud").get();
        Waits.until("a standby launcher", Duration.ofSeconds(30), this::standbyPodDir); // the pod below claims it
        Pod pod = api.client.pods().inNamespace("default").resource(launcherPod(vmi, "440Mi")).create();
        String uid = pod.getMetadata().getUid();
        waitVmi("vmi-nocloud", "Running", Duration.ofSeconds(120));
        Path run = VmiAgent.runDirectory(uid);
        Waits.until("cloud-init user data on the console", Duration.ofSeconds(120),
                () -> read(run.resolve("serial.log")).contains("printed from cloud-init userdata"));
        assertTrue(Files.exists(agent.pods().podDir(uid).resolve("disks/emptydisk.qcow2")), "emptyDisk prepared by the node");

        try (LauncherClient other = LauncherClient.connect(run.resolve("launcher.sock"), e -> { })) {
            other.call("Pause", Map.of(), Duration.ofSeconds(30));
            Waits.until("Paused condition", Duration.ofSeconds(30), () -> "True".equals(condition(vmiNamed("vmi-nocloud"), "Paused")));
            assertEquals("False", condition(vmiNamed("vmi-nocloud"), "Ready"));
            other.call("Unpause", Map.of(), Duration.ofSeconds(30));
            Waits.until("Ready again", Duration.ofSeconds(30), () -> "True".equals(condition(vmiNamed("vmi-nocloud"), "Ready")));
            assertEquals(null, condition(vmiNamed("vmi-nocloud"), "Paused"));
        }

        long qemu = qemuPid(uid);
        String netns = PodPlan.netnsName(uid);
        assertEquals("net:[" + Files.readAttributes(Path.of("/run/netns", netns), "unix:ino").get("ino") + "]",
                Files.readSymbolicLink(Path.of("/proc/" + qemu + "/ns/net")).toString(), "QEMU lives in the pod's netns " + netns);
        api.client.pods().resource(pod).delete();
        Waits.until("QEMU gone", Duration.ofSeconds(60), () -> !Files.exists(Path.of("/proc/" + qemu)));
        Waits.until("netns removed", Duration.ofSeconds(30), () -> !Files.exists(Path.of("/run/netns", netns)));
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !MemoryCgroup.forPod(uid).exists());
    }

    @Test
    void guestShutdownGivesSucceededVmiAndPod() throws Exception {
        api.kubectl("apply", "-f", EXAMPLES.resolve("vmi-ephemeral.yaml").toString());
        GenericKubernetesResource vmi = vmiNow();
        Pod pod = api.client.pods().inNamespace("default").resource(launcherPod(vmi, "440Mi")).create();
        waitVmi("Running", Duration.ofSeconds(120));
        Path run = VmiAgent.runDirectory(pod.getMetadata().getUid());
        Waits.until("guest boot on the serial console", Duration.ofSeconds(120), () -> read(run.resolve("serial.log")).contains("jvirt-demo ready"));
        try (LauncherClient other = LauncherClient.connect(run.resolve("launcher.sock"), e -> { })) {
            other.call("Shutdown", Map.of("gracePeriodSeconds", 60), Duration.ofSeconds(30));
        }
        waitVmi("Succeeded", Duration.ofSeconds(90));
        Pod done = Waits.until("launcher pod Succeeded", Duration.ofSeconds(30), () -> {
            Pod p = api.client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get();
            return "Succeeded".equals(p.getStatus().getPhase()) ? p : null;
        });
        assertEquals(0, done.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
        assertEquals("False", condition(vmiNow(), "Ready"));
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !MemoryCgroup.forPod(pod.getMetadata().getUid()).exists());
    }

    @Test
    void launcherKilledMakesVmiFailedWithReasonAndTakesQemuWithIt() throws Exception {
        api.kubectl("apply", "-f", EXAMPLES.resolve("vmi-ephemeral.yaml").toString());
        Pod pod = api.client.pods().inNamespace("default").resource(launcherPod(vmiNow(), "440Mi")).create();
        String uid = pod.getMetadata().getUid();
        waitVmi("Running", Duration.ofSeconds(120));
        long qemu = qemuPid(uid);
        long launcherJvm = -1;
        for (long pid : MemoryCgroup.forPod(uid).pids()) {
            if (read(Path.of("/proc/" + pid + "/cmdline")).contains("io.jvirt.launcher.LauncherMain")) {
                launcherJvm = pid;
            }
        }
        assertTrue(launcherJvm > 0, "launcher JVM in the pod's cgroup");
        new ProcessBuilder("kill", "-9", Long.toString(launcherJvm)).start().waitFor();
        GenericKubernetesResource failed = waitVmi("Failed", Duration.ofSeconds(60));
        assertTrue(String.valueOf(status(failed).get("reason")).startsWith("launcher exited with code 137"), String.valueOf(status(failed)));
        Waits.until("QEMU gone with its launcher", Duration.ofSeconds(30), () -> !Files.exists(Path.of("/proc/" + qemu)));
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !MemoryCgroup.forPod(uid).exists());
    }

    private static Pod launcherPod(GenericKubernetesResource vmi, String memory) {
        String uid = vmi.getMetadata().getUid();
        String name = vmi.getMetadata().getName();
        return new PodBuilder().withNewMetadata().withName("virt-launcher-" + name + "-" + uid.substring(0, 5)).withNamespace("default")
                .addToLabels(PodRunner.APP_LABEL, PodRunner.APP_VALUE).addToLabels("kubevirt.io/created-by", uid).endMetadata()
                .withNewSpec().withNodeName(NODE).withRestartPolicy("Never").withTerminationGracePeriodSeconds(15L)
                .addNewContainer().withName("compute").withImage("jvirt/virt-launcher")
                .withCommand("jvirt-launcher", "--namespace", "default", "--name", name, "--uid", uid)
                .withNewResources().addToLimits("memory", new Quantity(memory)).addToRequests("memory", new Quantity(memory)).endResources()
                .endContainer().endSpec().build();
    }

    private long qemuPid(String podUid) throws IOException {
        for (long pid : MemoryCgroup.forPod(podUid).pids()) {
            Path exe = Path.of("/proc/" + pid + "/exe");
            try {
                if (Files.readSymbolicLink(exe).getFileName().toString().startsWith("qemu-system")) {
                    return pid;
                }
            } catch (IOException e) {
                // gone
            }
        }
        throw new AssertionError("no QEMU in the pod's cgroup");
    }

    private GenericKubernetesResource vmiNow() {
        return vmiNamed("vmi-ephemeral");
    }

    private GenericKubernetesResource vmiNamed(String name) {
        return api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(name).get();
    }

    private GenericKubernetesResource waitVmi(String phase, Duration timeout) throws InterruptedException {
        return waitVmi("vmi-ephemeral", phase, timeout);
    }

    private GenericKubernetesResource waitVmi(String name, String phase, Duration timeout) throws InterruptedException {
        try {
            return Waits.until("VMI phase " + phase, timeout, () -> {
                GenericKubernetesResource v = vmiNamed(name);
                return v != null && phase.equals(status(v).get("phase")) ? v : null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; VMI status " + status(vmiNamed(name)), e);
        }
    }
}
