package io.jvirt.handler.pod;

import static io.jvirt.handler.LauncherPodFixtures.createVmi;
import static io.jvirt.handler.LauncherPodFixtures.launcherPod;
import static io.jvirt.handler.LauncherPodFixtures.withMemory;
import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.TestFiles.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.handler.Waits;
import io.jvirt.handler.vmi.ContainerDisks;
import io.jvirt.handler.vmi.ImageMirrors;
import io.jvirt.registry.RegistryClient;
import io.jvirt.registry.RegistryConfig;
import io.jvirt.handler.vmi.VmiAgent;
import io.jvirt.handler.vmi.Supervisor;
import io.jvirt.handler.HandlerConfig;
import io.jvirt.handler.Qemus;
import io.jvirt.converter.DomainState;
import io.jvirt.qemu.accel.AccelDecision;
import io.jvirt.qemu.img.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pod runner with the real embedded API server, the real VMI side ({@link VmiAgent}: owner checks,
 * conversion), real network namespaces, a real cgroup v1 memory cgroup and real QEMU (TCG, a VMI without
 * disks: SeaBIOS finds nothing to boot and waits), as uid 107: what runs is always the QEMU the node
 * built from the VMI, never the pod's command.
 */
class PodRunnerIT {
    private static final String NODE = "node-pods";
    private EmbeddedApi api;
    private Path data;
    private PodRunner runner;
    private Path marker;

    @BeforeEach
    void start() throws Exception {
        api = EmbeddedApi.start();
        data = Files.createTempDirectory("jvirt-handler-data");
        marker = data.resolve("the-pods-own-command-ran");
    }

    private VmiAgent vmis;

    private void startRunner() throws IOException {
        QemuImg qemuImg = new QemuImg();
        vmis = new VmiAgent(api.nodeAgent, NODE,
                new ContainerDisks(data.resolve("images"), qemuImg, ImageMirrors.of(null, Map.of()), new RegistryClient(RegistryConfig.DEFAULT)), qemuImg,
                () -> AccelDecision.forcedTcg("test"), HandlerConfig.DEFAULT_QEMU_USER, null, () -> false, false);
        runner = new PodRunner(api.nodeAgent, NODE, data, HostScope.of(data), vmis);
        runner.start();
    }

    private void stopRunner() {
        runner.close();
        vmis.close();
    }

    @AfterEach
    void stop() throws Exception {
        for (Pod p : api.client.pods().inNamespace("default").list().getItems()) {
            api.controller.pods().resource(p).delete();
        }
        if (runner != null) {
            Waits.until("pod state cleaned up", Duration.ofSeconds(40), () -> noPodsIn(data.resolve("pods")));
            stopRunner();
        }
        api.close();
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A pod as the controller makes it, but its command is a foreign one: the node runs the VMI's QEMU instead. */
    private Pod create(String vmiName, String memory) {
        GenericKubernetesResource vmi = createVmi(api.controller, vmiName);
        PodBuilder pod = launcherPod(vmi, NODE).editSpec().editFirstContainer().withCommand("sh", "-c", "touch " + marker).endContainer().endSpec();
        return api.controller.pods().inNamespace("default").resource((memory == null ? pod : withMemory(pod, memory)).build()).create();
    }

    @Test
    void runsTheVmisQemuNotThePodsCommandInOwnNetnsAndCgroupThenDeletionCleansUp() throws Exception {
        startRunner();
        GenericKubernetesResource vmi = createVmi(api.controller, "netns");
        Pod pod = api.controller.pods().inNamespace("default").resource(withMemory(launcherPod(vmi, NODE), "256Mi").editSpec().editFirstContainer()
                .withCommand("sh", "-c", "touch " + marker)
                .editResources().addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity("250m")).endResources().endContainer().endSpec().build()).create();
        String uid = pod.getMetadata().getUid();
        Pod running = waitPhase(pod.getMetadata().getName(), "Running");
        HostScope scope = runner.scope();
        PodState state = PodState.load(runner.podDir(uid)).orElseThrow();
        List<Long> pids = scope.cgroup(uid).pids();
        assertEquals(List.of(state.pid()), pids, "the pod's one process in cgroup " + pids);
        assertTrue(Qemus.isQemu(state.pid()), "the pod's process is QEMU itself");
        String agentNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        List<String> commands = new ArrayList<>();
        for (long pid : pids) {
            assertNotEquals(agentNet, Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString(), "pid " + pid);
            String cgroups = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
            for (String controller : List.of("memory", "cpu", "pids")) { // this host runs cgroup v1
                assertTrue(cgroups.contains(":" + controller + ":/jvirt/" + scope.id() + "-" + uid + "\n"), "pid " + pid + " in " + controller + ": " + cgroups);
            }
            commands.add(read(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').strip());
        }
        assertTrue(commands.getFirst().startsWith("/usr/bin/qemu-system-x86_64 -name default_netns,"), "the VMI's QEMU runs: " + commands);
        assertTrue(commands.stream().noneMatch(c -> c.contains("touch")), "never the pod's command: " + commands);
        assertEquals(new CgroupLimits(256L << 20, 250, CgroupLimits.DEFAULT_PIDS_MAX), scope.cgroup(uid).limits());
        assertEquals("25000", read(Path.of("/sys/fs/cgroup/cpu/jvirt", scope.id() + "-" + uid, "cpu.cfs_quota_us")).strip(), "250m of a 100 ms period");
        String netns = scope.netnsName(uid);
        assertTrue(netns.startsWith("jvirt-" + scope.id() + "-"), netns);
        assertEquals(Files.readSymbolicLink(Path.of("/proc/" + state.pid() + "/ns/net")).toString(),
                inode(Path.of("/run/netns", netns)), "the pod's processes live in /run/netns/" + netns);
        Waits.until("the agent's line in the pod's log", Duration.ofSeconds(30),
                () -> read(runner.podDir(uid).resolve(PodProcess.LOG_FILE)).contains(PodProcess.AGENT_PREFIX + "RUNNING: started"));
        assertTrue(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(PodProcess.AGENT_PREFIX + PodRunner.StartSteps.PREFIX)
                        + "\\d+ ms: prepare \\d+ ms, pod network \\d+ ms, cgroup \\d+ ms, interfaces \\d+ ms, process \\d+ ms")
                .matcher(read(runner.podDir(uid).resolve(PodProcess.LOG_FILE))).find(), "the agent's line with the start's steps");
        assertEquals("compute", running.getStatus().getContainerStatuses().get(0).getName());
        assertTrue(running.getStatus().getContainerStatuses().get(0).getState().getRunning() != null);
        assertEquals("rwx------", mode(runner.podDir(uid)));
        for (String file : List.of(PodProcess.LOG_FILE, PodState.FILE, PodProcess.PID_FILE, "qemu-argv.json")) {
            assertEquals("rw-------", mode(runner.podDir(uid).resolve(file)), file);
        }
        assertFalse(Files.exists(marker), "the pod's own command never ran");

        api.controller.pods().resource(running).delete();
        Waits.until("processes gone", Duration.ofSeconds(40), () -> pids.stream().noneMatch(p -> Files.exists(Path.of("/proc/" + p))));
        Waits.until("netns removed", Duration.ofSeconds(10), () -> !Files.exists(Path.of("/run/netns", netns)));
        Waits.until("cgroup removed", Duration.ofSeconds(10), () -> !scope.cgroup(uid).exists());
        Waits.until("pod dir removed", Duration.ofSeconds(10), () -> !Files.exists(runner.podDir(uid)));
        assertFalse(Files.exists(marker), "the pod's own command never ran");
    }

    /**
     * Pods bound to the node that are not launcher pods of a VMI that exists and names them: each is Failed
     * with the reason and a Warning event, and nothing at all runs for it (no directory, cgroup or process).
     */
    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource({
        "no launcher label,                   NotALauncherPod",
        "no owner reference,                  NoVmiOwner",
        "owned by a ReplicaSet,               NoVmiOwner",
        "owner VMI does not exist,            VmiNotFound",
        "owner reference names another uid,   VmiMismatch",
        "created-by names another uid,        VmiMismatch",
        "VMI runs in another pod,             VmiMismatch",
        "no compute container,                InvalidPod",
    })
    void foreignPodsBoundToTheNodeAreRefusedAndNothingRuns(String variant, String reason) throws Exception {
        startRunner();
        GenericKubernetesResource vmi = createVmi(api.controller, "target");
        PodBuilder b = launcherPod(vmi, NODE).editSpec().editFirstContainer().withCommand("sh", "-c", "touch " + marker).endContainer().endSpec();
        switch (variant) {
            case "no launcher label" -> b.editMetadata().withLabels(Map.of("app", "x")).withOwnerReferences(List.of()).endMetadata();
            case "no owner reference" -> b.editMetadata().withOwnerReferences(List.of()).endMetadata();
            case "owned by a ReplicaSet" -> b.editMetadata().editFirstOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
                    .endOwnerReference().addToOwnerReferences(liveKeeper()).endMetadata();
            case "owner VMI does not exist" -> b.editMetadata().editFirstOwnerReference().withName("no-such-vmi").endOwnerReference()
                    .addToOwnerReferences(liveKeeper()).endMetadata();
            case "owner reference names another uid" -> b.editMetadata().editFirstOwnerReference().withUid("00000000-0000-4000-8000-00000000beef")
                    .endOwnerReference().addToOwnerReferences(liveKeeper())
                    .addToLabels(LauncherOwner.CREATED_BY, "00000000-0000-4000-8000-00000000beef").endMetadata();
            case "created-by names another uid" -> b.editMetadata().addToLabels(LauncherOwner.CREATED_BY, "someone-else").endMetadata();
            case "VMI runs in another pod" -> {
                vmi.getAdditionalProperties().put("status", Map.of("activePods", Map.of("00000000-0000-4000-8000-0000000000aa", NODE)));
                api.controller.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").resource(vmi).updateStatus();
            }
            case "no compute container" -> b.editSpec().editFirstContainer().withName("other").endContainer().endSpec();
            default -> throw new IllegalArgumentException(variant);
        }
        Pod pod = api.controller.pods().inNamespace("default").resource(b.build()).create();
        Pod failed = waitPhase(pod.getMetadata().getName(), "Failed");
        assertEquals(reason, failed.getStatus().getReason(), String.valueOf(failed.getStatus()));
        assertFalse(failed.getStatus().getMessage().isBlank());
        Waits.until("a Warning event " + reason, Duration.ofSeconds(10), () -> api.client.v1().events().inNamespace("default").list().getItems()
                .stream().anyMatch(e -> pod.getMetadata().getUid().equals(e.getInvolvedObject().getUid()) && reason.equals(e.getReason())
                        && "Warning".equals(e.getType())));
        String uid = pod.getMetadata().getUid();
        assertFalse(Files.exists(runner.podDir(uid)), "no pod directory");
        assertFalse(runner.scope().cgroup(uid).exists(), "no cgroup");
        assertFalse(Files.exists(Path.of("/run/netns", runner.scope().netnsName(uid))), "no netns");
        assertFalse(Files.exists(marker), "the pod's command never ran");
    }

    /** QEMU ended by the agent (QMP quit) is Succeeded with 0; killed from outside, Failed with 137. */
    /**
     * A second, non-controller owner that exists (a ConfigMap): a pod whose owners are all absent is collected by the
     * API server's garbage collector, as Kubernetes' is, which would race with the agent's refusal under test.
     */
    private OwnerReference liveKeeper() {
        ConfigMap keeper = api.client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                .withGenerateName("keeper-").endMetadata().build()).create();
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName(keeper.getMetadata().getName())
                .withUid(keeper.getMetadata().getUid()).build();
    }

    @ParameterizedTest
    @CsvSource({"quit, Succeeded, 0, Completed", "SIGKILL, Failed, 137, Error"})
    void endedQemuGivesPhaseAndExitCode(String how, String phase, int code, String reason) throws Exception {
        startRunner();
        Pod pod = create("ends", "256Mi");
        waitPhase(pod.getMetadata().getName(), "Running");
        Supervisor vm = Waits.until("the VM's supervisor", Duration.ofSeconds(30), () -> vmis.supervisor("default", "ends")
                .filter(s -> s.state() == DomainState.RUNNING).orElse(null));
        if (how.equals("quit")) {
            vm.kill();
        } else {
            new ProcessBuilder("kill", "-9", Long.toString(vm.info().qemuPid())).start().waitFor();
        }
        Pod done = waitPhase(pod.getMetadata().getName(), phase);
        ContainerStateTerminated t = done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(code, t.getExitCode());
        assertEquals(reason, t.getReason());
        String uid = pod.getMetadata().getUid();
        Waits.until("cgroup removed after the end", Duration.ofSeconds(10), () -> !runner.scope().cgroup(uid).exists());
    }

    @Test
    void restartedAgentReadoptsWithoutSecondProcessAndStillSeesTheEnd() throws Exception {
        startRunner();
        Pod pod = create("adopt", "256Mi");
        String uid = pod.getMetadata().getUid();
        waitPhase(pod.getMetadata().getName(), "Running");
        List<Long> before = Qemus.inPod(runner.scope(), uid);
        assertEquals(1, before.size());

        stopRunner();
        startRunner();
        Waits.until("re-adopted: QMP session of the new agent", Duration.ofSeconds(30), () -> vmis.supervisor("default", "adopt")
                .filter(s -> s.state() == DomainState.RUNNING).orElse(null));
        assertEquals(before, Qemus.inPod(runner.scope(), uid), "the same single QEMU after the restart");
        assertEquals("Running", api.client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get().getStatus().getPhase());

        new ProcessBuilder("kill", "-9", Long.toString(before.get(0))).start().waitFor();
        Pod failed = waitPhase(pod.getMetadata().getName(), "Failed");
        assertEquals(137, failed.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode(),
                "this JVM started it: it learns the exit status");
    }

    @Test
    void podOfAnotherNodeIsLeftAlone() throws Exception {
        startRunner();
        GenericKubernetesResource vmi = createVmi(api.controller, "elsewhere");
        Pod other = api.controller.pods().inNamespace("default").resource(launcherPod(vmi, "some-other-node").build()).create();
        Pod mine = create("mine", "256Mi");
        waitPhase(mine.getMetadata().getName(), "Running");
        Pod now = api.client.pods().inNamespace("default").withName(other.getMetadata().getName()).get();
        assertTrue(now.getStatus() == null || now.getStatus().getPhase() == null || "Pending".equals(now.getStatus().getPhase()),
                "untouched: " + now.getStatus());
        assertFalse(Files.exists(runner.podDir(other.getMetadata().getUid())));
    }

    private Pod waitPhase(String name, String phase) throws InterruptedException {
        try {
            return Waits.until(name + " " + phase, Duration.ofSeconds(30), () -> {
                Pod p = api.client.pods().inNamespace("default").withName(name).get();
                return p != null && p.getStatus() != null && phase.equals(p.getStatus().getPhase()) ? p : null;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; pod status: " + api.client.pods().inNamespace("default").withName(name).get().getStatus(), e);
        }
    }

    private static String mode(Path p) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static String inode(Path nsfile) throws IOException {
        return "net:[" + Files.readAttributes(nsfile, "unix:ino").get("ino") + "]";
    }
}
