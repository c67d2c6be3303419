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
import io.jvirt.handler.LauncherPodFixtures;
import io.jvirt.handler.pod.HostScope;
import io.jvirt.handler.pod.PodCgroup;
import io.jvirt.handler.pod.PodProcess;
import io.jvirt.handler.Console;
import io.jvirt.converter.DomainState;
import io.jvirt.qemu.qmp.QmpClient;
import io.jvirt.qemu.qmp.QmpStatus;
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
 * End to end on one node: the project's {@code examples/vmi-ephemeral.yaml} applied unmodified with kubectl
 * (its {@code registry:5000/kubevirt/cirros-container-disk-demo:devel} answered by the demo
 * containerDisk), a launcher pod as the controller makes it bound to the node, the node agent
 * running real QEMU (TCG here) as the pod's one process and supervising it over QMP.
 */
class VmiLifecycleIT {
    private static final String NODE = "node-vmi";
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private static final Path EXAMPLES = Path.of(System.getProperty("jvirt.examples.dir", "../examples"));
    private EmbeddedApi api;
    private Path data;
    private NodeAgent agent;
    private HandlerConfig config;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        api = EmbeddedApi.start();
        data = Files.createTempDirectory("jvirt-handler-vmi");
        config = HandlerConfig.defaults(NODE, data, BUILD).withHeartbeat(Duration.ofSeconds(2));
        agent = new NodeAgent(api.nodeAgent, config);
        agent.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (api == null) {
            return;
        }
        api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").delete();
        api.deletePods();
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
        Pod pod = api.controller.pods().inNamespace("default").resource(launcherPod(vmi, "440Mi")).create();

        GenericKubernetesResource running = waitVmi("Running", Duration.ofSeconds(120));
        Map<String, Object> status = status(running);
        assertEquals(NODE, status.get("nodeName"));
        assertEquals("True", condition(running, "Ready"));
        assertEquals("True", condition(running, "SoftwareEmulation"), "KVM does not run guests here, so TCG");
        assertEquals("False", condition(running, "LiveMigratable"));
        assertEquals("Running", api.kubectl("get", "vmi", "vmi-ephemeral", "-o", "jsonpath={.status.phase}"));

        Path run = agent.pods().paths(pod.getMetadata().getUid()).runDirectory();
        Waits.until("guest boot on the serial console", Duration.ofSeconds(120), () -> read(run.resolve("serial.log")).contains("jvirt-demo ready"));
        long qemu = qemuPid(pod.getMetadata().getUid());
        assertEquals(List.of(qemu), cgroup(pod.getMetadata().getUid()).pids(), "QEMU is the pod's one process");
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")), Files.readSymbolicLink(Path.of("/proc/" + qemu + "/ns/net")),
                "QEMU runs in the pod's network namespace");
        assertTrue(Files.readString(Path.of("/proc/" + qemu + "/cgroup")).contains("memory:/jvirt/" + scope().id() + "-" + pod.getMetadata().getUid()));
        assertUnprivileged(qemu);
        assertEquals(440L << 20, cgroup(pod.getMetadata().getUid()).limits().memoryBytes(), "the pod's memory limit on its cgroup");

        agent.close();
        agent = new NodeAgent(api.nodeAgent, config);
        agent.start();
        Waits.until("re-adopted over QMP", Duration.ofSeconds(30), () -> agent.vmis().supervisor("default", "vmi-ephemeral")
                .filter(s -> s.state() == DomainState.RUNNING).isPresent());
        assertEquals(List.of(qemu), cgroup(pod.getMetadata().getUid()).pids(), "the same single QEMU after the agent restart");
        assertEquals("Running", status(vmiNow()).get("phase"));

        new ProcessBuilder("kill", "-9", Long.toString(qemu)).start().waitFor();
        GenericKubernetesResource failed = waitVmi("Failed", Duration.ofSeconds(60));
        String reason = String.valueOf(status(failed).get("reason"));
        // both agents live in this JVM, which started QEMU and stays its parent: it records the exit status, and the
        // new agent waits for that record (PodProcess.exitRecorded). An agent in a JVM of its own would see no status
        // ("qemu ended while no node agent watched it").
        assertTrue(reason.startsWith("qemu killed by signal 9"), "the recorded signal: " + status(failed));
        Waits.until("launcher pod Failed", Duration.ofSeconds(30), () -> "Failed".equals(
                api.client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get().getStatus().getPhase()));
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !cgroup(pod.getMetadata().getUid()).exists());
    }

    @Test
    void nocloudExampleBootsWithUserDataPausesAndPodDeletionStopsEverything() throws Exception {
        api.kubectl("apply", "-f", EXAMPLES.resolve("vmi-nocloud.yaml").toString());
        GenericKubernetesResource vmi = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName("vmi-nocloud").get();
        Pod pod = api.controller.pods().inNamespace("default").resource(launcherPod(vmi, "440Mi")).create();
        String uid = pod.getMetadata().getUid();
        waitVmi("vmi-nocloud", "Running", Duration.ofSeconds(120));
        Path run = agent.pods().paths(uid).runDirectory();
        Waits.until("cloud-init user data on the console", Duration.ofSeconds(120),
                () -> read(run.resolve("serial.log")).contains("jvirt example: user data ran"));
        Path emptyDisk = agent.pods().paths(uid).diskDirectory().resolve("emptydisk.qcow2");
        assertTrue(Files.exists(emptyDisk), "emptyDisk prepared by the node");
        assertUnprivileged(qemuPid(uid));
        // what holds user data or the guest's output is private to the one who reads it: QEMU's user, or root
        assertOwnerAndMode(107, "rw-------", emptyDisk);
        assertOwnerAndMode(107, "rwx------", emptyDisk.getParent());
        assertOwnerAndMode(107, "rwx------", run);
        assertOwnerAndMode(107, "rw-------", run.resolve("cloudinit-cloudinitdisk.iso"));
        assertOwnerAndMode(107, "rw-------", run.resolve("serial.log"));
        assertOwnerAndMode(0, "rw-------", agent.pods().podDir(uid).resolve("qemu-argv.json"));
        assertOwnerAndMode(0, "rw-------", agent.pods().podDir(uid).resolve(PodProcess.LOG_FILE));
        assertOwnerAndMode(107, "rwx------", run.resolve("qmp.sock")); // umask 077: QEMU's user alone
        assertOwnerAndMode(107, "rwx------", run.resolve("serial.sock"));
        assertOwnerAndMode(0, "rwx------", agent.pods().podDir(uid));

        Supervisor vm = agent.vmis().supervisor("default", "vmi-nocloud").orElseThrow();
        vm.pause();
        Waits.until("Paused condition", Duration.ofSeconds(30), () -> "True".equals(condition(vmiNamed("vmi-nocloud"), "Paused")));
        assertEquals("False", condition(vmiNamed("vmi-nocloud"), "Ready"));
        vm.unpause();
        Waits.until("Ready again", Duration.ofSeconds(30), () -> "True".equals(condition(vmiNamed("vmi-nocloud"), "Ready")));
        assertEquals(null, condition(vmiNamed("vmi-nocloud"), "Paused"));

        long qemu = qemuPid(uid);
        String netns = scope().netnsName(uid);
        assertEquals("net:[" + Files.readAttributes(Path.of("/run/netns", netns), "unix:ino").get("ino") + "]",
                Files.readSymbolicLink(Path.of("/proc/" + qemu + "/ns/net")).toString(), "QEMU lives in the pod's netns " + netns);
        // the pod network: CNI gave the pod's eth0 an address of the node's bridge, reported as kubelet does
        String podIp = api.client.pods().resource(pod).get().getStatus().getPodIP();
        assertTrue(podIp != null && podIp.matches("10\\.\\d+\\.\\d+\\.\\d+"), "status.podIP: " + podIp);
        assertEquals(List.of(podIp), api.client.pods().resource(pod).get().getStatus().getPodIPs().stream().map(i -> i.getIp()).toList());
        // bridge binding: eth0 gave its address to the guest and is a port of k6t-eth0 beside the guest's tap
        String ports = DemoGuest.run("ip", "netns", "exec", netns, "ip", "-o", "link", "show", "master", "k6t-eth0");
        assertTrue(ports.contains(" eth0@") && ports.contains(" tap0:"), "eth0 and the tap on the pod's bridge: " + ports);
        assertFalse(DemoGuest.run("ip", "netns", "exec", netns, "ip", "-4", "-o", "addr", "show", "dev", "eth0").contains(podIp),
                "the pod IP moved to the guest");
        Path lease = data.resolve("cni/ipam/jvirt-" + scope().id()).resolve(podIp);
        assertEquals(uid, Files.readAllLines(lease).getFirst().strip(), "host-local's lease names the pod");
        String veths = DemoGuest.run("ip", "-o", "link", "show", "master", "jvbr" + scope().id());
        assertTrue(veths.contains("veth"), "the pod's veth on the node's bridge: " + veths);
        // the defaulted interface (bridge binding): the guest took the pod IP by the agent's DHCP and answers on it
        assertEquals(podIp, api.kubectl("get", "vmi", "vmi-nocloud", "-o", "jsonpath={.status.interfaces[0].ipAddress}"));
        Waits.until("the guest's HTTP server on the pod IP", Duration.ofSeconds(120), () -> http("http://" + podIp + "/").strip().equals("vmi-nocloud"));
        api.controller.pods().resource(pod).delete();
        Waits.until("QEMU gone", Duration.ofSeconds(60), () -> !Files.exists(Path.of("/proc/" + qemu)));
        Waits.until("netns removed", Duration.ofSeconds(30), () -> !Files.exists(Path.of("/run/netns", netns)));
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !cgroup(uid).exists());
        assertFalse(Files.exists(lease), "CNI DEL released the address");
        assertFalse(Files.exists(data.resolve("cni/results/" + uid + ".json")), "and its kept result");
        assertEquals("", DemoGuest.run("ip", "-o", "link", "show", "master", "jvbr" + scope().id()).strip(), "no veth left on the bridge");
    }

    @Test
    void guestShutdownGivesSucceededVmiAndPod() throws Exception {
        api.kubectl("apply", "-f", EXAMPLES.resolve("vmi-ephemeral.yaml").toString());
        GenericKubernetesResource vmi = vmiNow();
        Pod pod = api.controller.pods().inNamespace("default").resource(launcherPod(vmi, "440Mi")).create();
        waitVmi("Running", Duration.ofSeconds(120));
        Path run = agent.pods().paths(pod.getMetadata().getUid()).runDirectory();
        Waits.until("guest boot on the serial console", Duration.ofSeconds(120), () -> read(run.resolve("serial.log")).contains("jvirt-demo ready"));
        agent.vmis().supervisor("default", "vmi-ephemeral").orElseThrow().shutdown(Duration.ofSeconds(60));
        GenericKubernetesResource done = waitVmi("Succeeded", Duration.ofSeconds(90));
        assertEquals("guest shutdown", status(done).get("reason"));
        Pod ended = Waits.until("launcher pod Succeeded", Duration.ofSeconds(30), () -> {
            Pod p = api.client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get();
            return "Succeeded".equals(p.getStatus().getPhase()) ? p : null;
        });
        assertEquals(0, ended.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
        assertEquals("False", condition(vmiNow(), "Ready"));
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !cgroup(pod.getMetadata().getUid()).exists());
    }

    /**
     * The guest powers off while no agent runs (QEMU, with {@code -no-shutdown}, stays in run state shutdown): the
     * next agent finds it so over QMP, ends QEMU and reports Succeeded.
     */
    @Test
    void guestPowerOffWhileTheAgentIsDownIsSucceededAfterItsRestart() throws Exception {
        api.kubectl("apply", "-f", EXAMPLES.resolve("vmi-ephemeral.yaml").toString());
        Pod pod = api.controller.pods().inNamespace("default").resource(launcherPod(vmiNow(), "440Mi")).create();
        String uid = pod.getMetadata().getUid();
        waitVmi("Running", Duration.ofSeconds(120));
        Path run = agent.pods().paths(uid).runDirectory();
        Waits.until("guest boot on the serial console", Duration.ofSeconds(120), () -> read(run.resolve("serial.log")).contains("jvirt-demo ready"));
        long qemu = qemuPid(uid);
        agent.close();
        try (QmpClient qmp = QmpClient.connect(run.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            qmp.systemPowerdown(); // the ACPI power button, pressed while nobody supervises the VM
            Waits.until("the guest powered off, QEMU kept", Duration.ofSeconds(90),
                    () -> runState(qmp) == QmpStatus.RunState.SHUTDOWN);
        }
        assertTrue(Files.exists(Path.of("/proc/" + qemu)), "QEMU stays after the guest's power-off (-no-shutdown)");
        assertEquals("Running", status(vmiNow()).get("phase"), "nobody has reported it yet");
        agent = new NodeAgent(api.nodeAgent, config);
        agent.start();
        GenericKubernetesResource done = waitVmi("Succeeded", Duration.ofSeconds(60));
        assertTrue(String.valueOf(status(done).get("reason")).startsWith("guest shutdown"), String.valueOf(status(done)));
        Waits.until("QEMU ended by the agent", Duration.ofSeconds(30), () -> !Files.exists(Path.of("/proc/" + qemu)));
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !cgroup(uid).exists());
    }

    /** A guest kernel panic ({@code echo c > /proc/sysrq-trigger} as root on the console) reaches QEMU's pvpanic device: Failed. */
    @Test
    void guestKernelPanicMakesTheVmiFailedWithAPanicReason() throws Exception {
        api.kubectl("apply", "-f", EXAMPLES.resolve("vmi-ephemeral.yaml").toString());
        Pod pod = api.controller.pods().inNamespace("default").resource(launcherPod(vmiNow(), "440Mi")).create();
        String uid = pod.getMetadata().getUid();
        waitVmi("Running", Duration.ofSeconds(120));
        Path run = agent.pods().paths(uid).runDirectory();
        try (Console console = Console.connect(run.resolve("serial.sock"), Duration.ofSeconds(30))) {
            Waits.until("guest boot on the serial console", Duration.ofSeconds(120), () -> read(run.resolve("serial.log")).contains("login:"));
            console.type("\n");
            int at = console.await("login:", 0, Duration.ofSeconds(60));
            console.type("root\n");
            at = console.await("Password:", at, Duration.ofSeconds(30));
            console.type("jvirt\n");
            at = console.await("#", at, Duration.ofSeconds(30));
            console.type("echo c > /proc/sysrq-trigger\n");
            GenericKubernetesResource failed = waitVmi("Failed", Duration.ofSeconds(60));
            assertTrue(String.valueOf(status(failed).get("reason")).startsWith("guest panicked"), String.valueOf(status(failed)));
        }
        Waits.until("cgroup removed", Duration.ofSeconds(30), () -> !cgroup(uid).exists());
    }

    private static QmpStatus.RunState runState(QmpClient qmp) {
        try {
            return qmp.queryStatus().state();
        } catch (Exception e) {
            return null;
        }
    }

    private static Pod launcherPod(GenericKubernetesResource vmi, String memory) {
        return LauncherPodFixtures.withMemory(LauncherPodFixtures.launcherPod(vmi, NODE), memory).editSpec()
                .withTerminationGracePeriodSeconds(15L).endSpec().build();
    }

    private static String http(String url) {
        try {
            return java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build().send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private HostScope scope() {
        return agent.pods().scope();
    }

    private PodCgroup cgroup(String podUid) {
        return scope().cgroup(podUid);
    }

    /** QEMU runs as KubeVirt's qemu user, with no capabilities, no supplementary groups, no-new-privs and its seccomp filter. */
    static void assertUnprivileged(long qemu) throws IOException {
        List<String> status = Files.readAllLines(Path.of("/proc/" + qemu + "/status"));
        for (String line : List.of("Uid:\t107\t107\t107\t107", "Gid:\t107\t107\t107\t107", "CapEff:\t0000000000000000",
                "CapPrm:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2")) {
            assertTrue(status.contains(line), "QEMU's /proc/" + qemu + "/status has " + line + ": " + status);
        }
        assertTrue(status.stream().anyMatch(l -> l.matches("Groups:\\s*")), "no supplementary groups: " + status);
    }

    private static void assertOwnerAndMode(int uid, String mode, Path p) throws IOException {
        assertEquals(uid, Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS), "owner of " + p);
        assertEquals(mode, java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)), "mode of " + p);
    }

    private long qemuPid(String podUid) throws IOException {
        for (long pid : cgroup(podUid).pids()) {
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
