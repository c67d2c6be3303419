package io.jvirt.handler;

import io.jvirt.handler.pod.PodProcess;
import static io.jvirt.handler.TestFiles.read;
import static io.jvirt.handler.TestFiles.noPodsIn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.jvirt.handler.LauncherPodFixtures.createVmi;
import static io.jvirt.handler.LauncherPodFixtures.launcherPod;
import static io.jvirt.handler.LauncherPodFixtures.withMemory;

import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.handler.pod.HostScope;
import io.jvirt.handler.pod.NetworkNamespace;
import io.jvirt.handler.pod.PodCgroup;
import io.jvirt.handler.pod.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The node agent as its own JVM ({@link HandlerMain}) killed with SIGKILL: each pod's QEMU (VMIs without disks:
 * SeaBIOS waits for a boot device) keeps running, the next agent re-adopts it without a second process; a pod
 * deleted while no agent ran is cleaned up by the next one.
 */
class AgentKillIT {
    @Test
    void podProcessesOutliveKill9OfTheAgentAndAreReadopted() throws Exception {
        Path data = Files.createTempDirectory("jvirt-handler-kill");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // QEMU's user passes
        try (EmbeddedApi api = EmbeddedApi.start()) {
            Path props = data.resolve("handler.properties");
            Files.writeString(props, "nodeName=node-kill\ndataDir=" + data.resolve("node") + "\nheartbeatSeconds=1\nuseEmulation=true\n");
            Process agent = startAgent(api, props, data.resolve("agent1.log"));
            try {
                Waits.until("node registered", Duration.ofSeconds(60), () -> api.client.nodes().withName("node-kill").get());
                HostScope scope = HostScope.of(data.resolve("node"));
                Pod keep = api.controller.pods().inNamespace("default")
                        .resource(withMemory(launcherPod(createVmi(api.controller, "keep"), "node-kill"), "256Mi").build()).create();
                Pod doomedPod = api.controller.pods().inNamespace("default")
                        .resource(launcherPod(createVmi(api.controller, "doomed"), "node-kill").build()).create();
                // the pod is Running once its process started; its QEMU is the guest only once the agent's supervisor
                // has let it run over QMP (it starts with -S): a QEMU killed before that is started by the next agent
                waitStarted(data, keep);
                waitStarted(data, doomedPod);
                List<Long> before = Qemus.inPod(scope, keep.getMetadata().getUid());
                assertEquals(1, before.size());
                long doomed = Qemus.inPod(scope, doomedPod.getMetadata().getUid()).get(0);

                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
                assertEquals(before, Qemus.inPod(scope, keep.getMetadata().getUid()), "QEMU survived the agent's SIGKILL");
                api.controller.pods().resource(doomedPod).delete(); // while no agent runs

                agent = startAgent(api, props, data.resolve("agent2.log"));
                Waits.until("pod deleted while the agent was down is stopped", Duration.ofSeconds(60),
                        () -> !ProcStat.startTicks(doomed).isPresent());
                Waits.until("its pod network released (lease, kept result)", Duration.ofSeconds(60),
                        () -> !leaseOwners(data, scope).contains(doomedPod.getMetadata().getUid())
                                && !Files.exists(data.resolve("node/cni/results/" + doomedPod.getMetadata().getUid() + ".json")));
                assertEquals(List.of(keep.getMetadata().getUid()), leaseOwners(data, scope), "the running pod keeps its address");
                Waits.until("re-adopted over QMP: the agent's line in the pod's log", Duration.ofSeconds(60),
                        () -> log(data, keep).contains("RUNNING: re-adopted running"));
                assertEquals(before, Qemus.inPod(scope, keep.getMetadata().getUid()), "re-adopted: the same single QEMU");
                assertEquals("Running", api.client.pods().inNamespace("default").withName(keep.getMetadata().getName()).get().getStatus().getPhase());

                api.controller.pods().resource(keep).delete();
                Waits.until("process stopped on delete", Duration.ofSeconds(60), () -> !ProcStat.startTicks(before.get(0)).isPresent());
                Waits.until("state removed", Duration.ofSeconds(30), () -> noPodsIn(data.resolve("node/pods")));
                Waits.until("no lease left", Duration.ofSeconds(30), () -> leaseOwners(data, scope).isEmpty());
                assertEquals("", run("ip", "-o", "link", "show", "master", "jvbr" + scope.id()).strip(), "no veth left on the node's bridge");
            } finally {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                stopLeftPods(data.resolve("node"));
                HostScope scope = HostScope.of(data.resolve("node"));
                if (Files.exists(Path.of("/sys/class/net/jvbr" + scope.id()))) {
                    run("ip", "link", "del", "jvbr" + scope.id()); // a killed agent leaves its bridge to the next one: there is none
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The pods holding an address lease of the agent's pod network (host-local: a file per address naming its pod). */
    private static List<String> leaseOwners(Path data, HostScope scope) {
        Path dir = data.resolve("node/cni/ipam/jvirt-" + scope.id());
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("[0-9.]+")).map(f -> {
                try {
                    return Files.readAllLines(f).getFirst().strip();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", argv) + ": " + out);
        return out;
    }

    private static Process startAgent(EmbeddedApi api, Path props, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                HandlerMain.class.getName(), props.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KUBECONFIG", api.kubeconfig(ComponentIdentity.NODE_AGENT).toString());
        return pb.start();
    }

    /** Kills what a run that failed midway left running in its pods (their QEMUs outlive every agent) and removes their cgroups and netns. */
    private static void stopLeftPods(Path node) throws IOException, InterruptedException {
        if (!Files.isDirectory(node.resolve("pods"))) {
            return;
        }
        HostScope scope = HostScope.of(node);
        try (Stream<Path> pods = Files.list(node.resolve("pods"))) {
            for (Path dir : pods.toList()) {
                PodCgroup cgroup = scope.cgroup(dir.getFileName().toString());
                PodProcess.stop(null, cgroup, Duration.ZERO);
                cgroup.removeWhenEmpty(Duration.ofSeconds(10));
                new NetworkNamespace(scope.netnsName(dir.getFileName().toString())).delete();
            }
        }
    }

    /** Waits for the agent's line saying QEMU runs the guest (QMP {@code cont} done) in the pod's log. */
    private static void waitStarted(Path data, Pod pod) throws InterruptedException {
        Waits.until(pod.getMetadata().getName() + "'s guest started over QMP", Duration.ofSeconds(60),
                () -> log(data, pod).contains("RUNNING: started"));
    }

    private static String log(Path data, Pod pod) {
        return read(data.resolve("node/pods/" + pod.getMetadata().getUid() + "/" + PodProcess.LOG_FILE));
    }
}
