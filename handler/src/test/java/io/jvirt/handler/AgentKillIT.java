package io.jvirt.handler;

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
 * The node agent as its own JVM ({@link HandlerMain}, its launcher command a script that sleeps) killed with SIGKILL: the pod process keeps
 * running, the next agent re-adopts it without a second process; a pod deleted while no agent ran
 * is cleaned up by the next one.
 */
class AgentKillIT {
    @Test
    void podProcessesOutliveKill9OfTheAgentAndAreReadopted() throws Exception {
        Path data = Files.createTempDirectory("jvirt-handler-kill");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // QEMU's user passes
        try (EmbeddedApi api = EmbeddedApi.start()) {
            String marker = "32." + ProcessHandle.current().pid();
            Path launcher = data.resolve("launcher.sh"); // the node's launcher command: a stand-in that only sleeps
            Files.writeString(launcher, "#!/bin/sh\nexec sleep " + marker + "\n");
            Files.setPosixFilePermissions(launcher, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Path props = data.resolve("handler.properties");
            Files.writeString(props, "nodeName=node-kill\ndataDir=" + data.resolve("node") + "\nheartbeatSeconds=1\nuseEmulation=true\n"
                    + "launcherCommand=" + launcher + "\n");
            Process agent = startAgent(api, props, data.resolve("agent1.log"));
            try {
                Waits.until("node registered", Duration.ofSeconds(60), () -> api.client.nodes().withName("node-kill").get());
                HostScope scope = HostScope.of(data.resolve("node"));
                Pod keep = api.controller.pods().inNamespace("default")
                        .resource(withMemory(launcherPod(createVmi(api.controller, "keep"), "node-kill"), "32Mi").build()).create();
                Pod doomedPod = api.controller.pods().inNamespace("default")
                        .resource(launcherPod(createVmi(api.controller, "doomed"), "node-kill").build()).create();
                waitPhase(api, keep.getMetadata().getName(), "Running");
                waitPhase(api, doomedPod.getMetadata().getName(), "Running");
                List<Long> before = sleepers(scope, keep, marker);
                assertEquals(1, before.size());
                long doomed = sleepers(scope, doomedPod, marker).get(0);

                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
                Thread.sleep(500);
                assertEquals(before, sleepers(scope, keep, marker), "the pod process survived the agent's SIGKILL");
                api.controller.pods().resource(doomedPod).delete(); // while no agent runs

                agent = startAgent(api, props, data.resolve("agent2.log"));
                Waits.until("pod deleted while the agent was down is stopped", Duration.ofSeconds(60),
                        () -> !ProcStat.startTicks(doomed).isPresent());
                Thread.sleep(2000);
                assertEquals(before, sleepers(scope, keep, marker), "re-adopted: the same single process");
                assertEquals("Running", api.client.pods().inNamespace("default").withName(keep.getMetadata().getName()).get().getStatus().getPhase());

                api.controller.pods().resource(keep).delete();
                Waits.until("process stopped on delete", Duration.ofSeconds(60), () -> !ProcStat.startTicks(before.get(0)).isPresent());
                Waits.until("state removed", Duration.ofSeconds(30), () -> noPodsIn(data.resolve("node/pods")));
            } finally {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Process startAgent(EmbeddedApi api, Path props, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                HandlerMain.class.getName(), props.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KUBECONFIG", api.kubeconfig(ComponentIdentity.NODE_AGENT).toString());
        return pb.start();
    }

    private static void waitPhase(EmbeddedApi api, String name, String phase) throws InterruptedException {
        Waits.until(name + " " + phase, Duration.ofSeconds(60), () -> {
            Pod p = api.client.pods().inNamespace("default").withName(name).get();
            return p != null && p.getStatus() != null && phase.equals(p.getStatus().getPhase());
        });
    }

    /** Pids of live {@code sleep <marker>} processes in the pod's cgroup. */
    private static List<Long> sleepers(HostScope scope, Pod pod, String marker) throws IOException {
        return scope.cgroup(pod.getMetadata().getUid()).pids().stream()
                .filter(pid -> read(Path.of("/proc/" + pid + "/cmdline")).equals("sleep\0" + marker + "\0"))
                .filter(pid -> ProcStat.startTicks(pid).isPresent()).sorted().toList();
    }
}
