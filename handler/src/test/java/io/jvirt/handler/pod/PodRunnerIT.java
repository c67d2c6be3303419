package io.jvirt.handler.pod;

import static io.jvirt.handler.TestFiles.read;
import static io.jvirt.handler.TestFiles.isEmptyDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.handler.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pod runner with the real embedded API server, real network namespaces, a real cgroup v1
 * memory cgroup and real processes.
 */
class PodRunnerIT {
    private static final String NODE = "node-pods";
    private EmbeddedApi api;
    private Path data;
    private PodRunner runner;

    @BeforeEach
    void start() throws Exception {
        api = EmbeddedApi.start();
        data = Files.createTempDirectory("jvirt-handler-data");
        runner = new PodRunner(api.client, NODE, data, LauncherPods.NONE);
        runner.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (Pod p : api.client.pods().inNamespace("default").list().getItems()) {
            api.client.pods().resource(p).delete();
        }
        Waits.until("pod state cleaned up", Duration.ofSeconds(40), () -> isEmptyDir(data.resolve("pods")));
        runner.close();
        api.close();
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void runsInOwnNetnsAndCgroupThenDeletionCleansUp() throws Exception {
        Pod pod = create("netns", List.of("sh", "-c", "echo hi; exec sleep 30.1"), "64Mi");
        String uid = pod.getMetadata().getUid();
        waitPhase("netns", "Running");
        PodState state = PodState.load(runner.podDir(uid)).orElseThrow();
        List<Long> pids = MemoryCgroup.forPod(uid).pids();
        assertTrue(pids.contains(state.pid()), "wrapper " + state.pid() + " in cgroup " + pids);
        String agentNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        for (long pid : pids) {
            assertNotEquals(agentNet, Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString(), "pid " + pid);
            assertTrue(Files.readString(Path.of("/proc/" + pid + "/cgroup")).contains("memory:/jvirt/" + uid), "pid " + pid);
        }
        assertEquals(64L << 20, MemoryCgroup.forPod(uid).limitBytes());
        String netns = new PodPlan(uid, "default", "netns", List.of("x"), 0, 30).netnsName();
        assertEquals(Files.readSymbolicLink(Path.of("/proc/" + state.pid() + "/ns/net")).toString(),
                inode(Path.of("/run/netns", netns)), "the pod's processes live in /run/netns/" + netns);
        Waits.until("log line", Duration.ofSeconds(10), () -> read(runner.podDir(uid).resolve(PodProcess.LOG_FILE)).contains("hi"));
        Pod running = api.client.pods().inNamespace("default").withName("netns").get();
        assertEquals("compute", running.getStatus().getContainerStatuses().get(0).getName());
        assertTrue(running.getStatus().getContainerStatuses().get(0).getState().getRunning() != null);

        api.client.pods().resource(running).delete();
        Waits.until("processes gone", Duration.ofSeconds(40), () -> pids.stream().noneMatch(p -> Files.exists(Path.of("/proc/" + p))));
        Waits.until("netns removed", Duration.ofSeconds(10), () -> !Files.exists(Path.of("/run/netns", netns)));
        Waits.until("cgroup removed", Duration.ofSeconds(10), () -> !MemoryCgroup.forPod(uid).exists());
        Waits.until("pod dir removed", Duration.ofSeconds(10), () -> !Files.exists(runner.podDir(uid)));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {"'exit 0', Succeeded, 0, Completed, -", "'echo bye; exit 3', Failed, 3, Error, bye"})
    void endedProcessGivesPhaseAndExitCode(String script, String phase, int code, String reason, String message) throws Exception {
        Pod pod = create("ends", List.of("sh", "-c", "sleep 1; " + script), null);
        Pod done = waitPhase("ends", phase);
        ContainerStateTerminated t = done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertEquals(code, t.getExitCode());
        assertEquals(reason, t.getReason());
        assertEquals(message, t.getMessage(), "a failed container says its last log line");
        String uid = pod.getMetadata().getUid();
        Waits.until("cgroup removed after the end", Duration.ofSeconds(10), () -> !MemoryCgroup.forPod(uid).exists());
    }

    @Test
    void restartedAgentReadoptsWithoutSecondProcessAndStillSeesTheEnd() throws Exception {
        String marker = "31." + ProcessHandle.current().pid();
        create("adopt", List.of("sh", "-c", "sleep " + marker), null);
        waitPhase("adopt", "Running");
        assertEquals(1, sleepers(marker).size());
        long before = sleepers(marker).get(0);

        runner.close();
        runner = new PodRunner(api.client, NODE, data, LauncherPods.NONE);
        runner.start();
        Thread.sleep(2000); // give a wrong runner time to start a duplicate
        assertEquals(List.of(before), sleepers(marker), "the same single process after the restart");
        assertEquals("Running", api.client.pods().inNamespace("default").withName("adopt").get().getStatus().getPhase());

        new ProcessBuilder("kill", "-9", Long.toString(before)).start().waitFor();
        Pod failed = waitPhase("adopt", "Failed");
        assertEquals(137, failed.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
    }

    @Test
    void podOfAnotherNodeIsLeftAlone() throws Exception {
        api.client.pods().inNamespace("default").resource(pod("other", List.of("sh", "-c", "sleep 5"), null, "some-other-node")).create();
        create("mine", List.of("sh", "-c", "sleep 5"), null);
        waitPhase("mine", "Running");
        Thread.sleep(500);
        Pod other = api.client.pods().inNamespace("default").withName("other").get();
        assertTrue(other.getStatus() == null || other.getStatus().getPhase() == null || "Pending".equals(other.getStatus().getPhase()),
                "untouched: " + other.getStatus());
        assertTrue(other.getStatus() == null || other.getStatus().getContainerStatuses().isEmpty(), "untouched: " + other.getStatus());
        assertFalse(Files.exists(runner.podDir(other.getMetadata().getUid())));
    }

    private Pod create(String name, List<String> command, String memory) {
        return api.client.pods().inNamespace("default").resource(pod(name, command, memory, NODE)).create();
    }

    static Pod pod(String name, List<String> command, String memory, String node) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .addToLabels(PodRunner.APP_LABEL, PodRunner.APP_VALUE).endMetadata()
                .withNewSpec().withNodeName(node).withRestartPolicy("Never").withTerminationGracePeriodSeconds(2L)
                .addNewContainer().withName("compute").withImage("jvirt/test").withCommand(command)
                .withNewResources().endResources().endContainer().endSpec();
        Pod p = b.build();
        if (memory != null) {
            p.getSpec().getContainers().get(0).getResources().setLimits(java.util.Map.of("memory", new Quantity(memory)));
        }
        return p;
    }

    private Pod waitPhase(String name, String phase) throws InterruptedException {
        try {
            return waitPhaseOnce(name, phase);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; pod status: " + api.client.pods().inNamespace("default").withName(name).get().getStatus(), e);
        }
    }

    private Pod waitPhaseOnce(String name, String phase) throws InterruptedException {
        return Waits.until(name + " " + phase, Duration.ofSeconds(30), () -> {
            Pod p = api.client.pods().inNamespace("default").withName(name).get();
            return p != null && p.getStatus() != null && phase.equals(p.getStatus().getPhase()) ? p : null;
        });
    }

    /** Pids of live {@code sleep <marker>} processes. */
    private static List<Long> sleepers(String marker) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> read(p.resolve("cmdline")).equals("sleep\0" + marker + "\0"))
                    .filter(p -> ProcStat.startTicks(Long.parseLong(p.getFileName().toString())).isPresent())
                    .map(p -> Long.parseLong(p.getFileName().toString())).toList();
        }
    }

    private static String inode(Path nsfile) throws IOException {
        return "net:[" + Files.readAttributes(nsfile, "unix:ino").get("ino") + "]";
    }
}
