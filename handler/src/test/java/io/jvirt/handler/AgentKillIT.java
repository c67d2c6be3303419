package io.jvirt.handler;

import static io.jvirt.handler.TestFiles.read;
import static io.jvirt.handler.TestFiles.noPodsIn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.jvirt.handler.pod.PodRunner;
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
 * The node agent as its own JVM ({@link HandlerMain}) killed with SIGKILL: the pod process keeps
 * running, the next agent re-adopts it without a second process; a pod deleted while no agent ran
 * is cleaned up by the next one.
 */
class AgentKillIT {
    @Test
    void podProcessesOutliveKill9OfTheAgentAndAreReadopted() throws Exception {
        Path data = Files.createTempDirectory("jvirt-handler-kill");
        try (EmbeddedApi api = EmbeddedApi.start()) {
            Path props = data.resolve("handler.properties");
            Files.writeString(props, "nodeName=node-kill\ndataDir=" + data.resolve("node") + "\nheartbeatSeconds=1\nuseEmulation=true\n");
            String marker = "32." + ProcessHandle.current().pid();
            Process agent = startAgent(api, props, data.resolve("agent1.log"));
            try {
                Waits.until("node registered", Duration.ofSeconds(60), () -> api.client.nodes().withName("node-kill").get());
                api.client.pods().inNamespace("default").resource(pod("keep", "sleep " + marker)).create();
                api.client.pods().inNamespace("default").resource(pod("doomed", "sleep 33." + ProcessHandle.current().pid())).create();
                waitPhase(api, "keep", "Running");
                waitPhase(api, "doomed", "Running");
                List<Long> before = sleepers(marker);
                assertEquals(1, before.size());
                long doomed = sleepers("33." + ProcessHandle.current().pid()).get(0);

                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
                Thread.sleep(500);
                assertEquals(before, sleepers(marker), "the pod process survived the agent's SIGKILL");
                api.client.pods().inNamespace("default").withName("doomed").delete(); // while no agent runs

                agent = startAgent(api, props, data.resolve("agent2.log"));
                Waits.until("pod deleted while the agent was down is stopped", Duration.ofSeconds(60),
                        () -> !ProcStat.startTicks(doomed).isPresent());
                Thread.sleep(2000);
                assertEquals(before, sleepers(marker), "re-adopted: the same single process");
                assertEquals("Running", api.client.pods().inNamespace("default").withName("keep").get().getStatus().getPhase());

                api.client.pods().inNamespace("default").withName("keep").delete();
                Waits.until("process stopped on delete", Duration.ofSeconds(60), () -> sleepersQuietly(marker).isEmpty());
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
        pb.environment().put("KUBECONFIG", api.kubeconfig().toString());
        return pb.start();
    }

    private static Pod pod(String name, String script) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .addToLabels(PodRunner.APP_LABEL, PodRunner.APP_VALUE).endMetadata()
                .withNewSpec().withNodeName("node-kill").withRestartPolicy("Never").withTerminationGracePeriodSeconds(2L)
                .addNewContainer().withName("compute").withImage("jvirt/test").withCommand("sh", "-c", script)
                .withNewResources().addToLimits("memory", new Quantity("32Mi")).endResources().endContainer().endSpec().build();
    }

    private static void waitPhase(EmbeddedApi api, String name, String phase) throws InterruptedException {
        Waits.until(name + " " + phase, Duration.ofSeconds(60), () -> {
            Pod p = api.client.pods().inNamespace("default").withName(name).get();
            return p != null && p.getStatus() != null && phase.equals(p.getStatus().getPhase());
        });
    }

    private static List<Long> sleepersQuietly(String marker) {
        try {
            return sleepers(marker);
        } catch (IOException e) {
            return List.of(-1L);
        }
    }

    private static List<Long> sleepers(String marker) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> read(p.resolve("cmdline")).equals("sleep\0" + marker + "\0"))
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .filter(pid -> ProcStat.startTicks(pid).isPresent()).sorted().toList();
        }
    }
}
