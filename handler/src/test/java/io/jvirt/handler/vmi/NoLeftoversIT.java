package io.jvirt.handler.vmi;

import static io.jvirt.handler.LauncherPodFixtures.launcherPod;
import static io.jvirt.handler.LauncherPodFixtures.withMemory;
import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.TestFiles.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.handler.HandlerConfig;
import io.jvirt.handler.NodeAgent;
import io.jvirt.handler.Waits;
import io.jvirt.handler.pod.HostScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * 100 create/delete cycles of a VMI's launcher pod on one node, nine in ten of them failed starts (a
 * containerDisk this node does not have), one in ten a real start (QEMU as the pod's process): once
 * the pods are deleted and the agent stopped, nothing of this agent instance is left on the host: no
 * network namespace, cgroup, run or disk directory, and no process.
 */
class NoLeftoversIT {
    private static final String NODE = "node-cycles";
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private static final String DEMO = "registry:5000/kubevirt/cirros-container-disk-demo:devel";

    @Test
    void hundredCyclesWithFailedStartsLeaveNoNetnsCgroupDirectoryOrProcess() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        Path data = Files.createTempDirectory("jvirt-handler-cycles");
        HandlerConfig config = HandlerConfig.defaults(NODE, data, BUILD).withHeartbeat(Duration.ofSeconds(5));
        Instant began = Instant.now();
        try (EmbeddedApi api = EmbeddedApi.start()) {
            NodeAgent agent = new NodeAgent(api.nodeAgent, config);
            HostScope scope = agent.pods().scope();
            try {
                agent.start();
                int started = 0;
                for (int i = 0; i < 100; i++) {
                    boolean real = i % 10 == 0;
                    GenericKubernetesResource vmi = createVmi(api, "cycle-" + i, real ? DEMO : "registry:5000/jvirt/missing-" + i);
                    Pod pod = api.controller.pods().inNamespace("default").resource(withMemory(launcherPod(vmi, NODE), "320Mi").build()).create();
                    // a missing image is a failed start the node retries later (ErrImagePull, the pod Pending, as kubelet's)
                    String phase = real ? "Running" : "Pending";
                    Pod seen = Waits.until("pod of cycle " + i + " " + (real ? phase : "ErrImagePull"), Duration.ofSeconds(120), () -> {
                        Pod p = api.client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get();
                        return p != null && p.getStatus() != null && phase.equals(p.getStatus().getPhase())
                                && (real || !p.getStatus().getContainerStatuses().isEmpty()) ? p : null;
                    });
                    if (real) {
                        started++;
                    } else {
                        assertEquals("ErrImagePull", seen.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason(),
                                String.valueOf(seen.getStatus()));
                    }
                    api.controller.pods().resource(pod).delete();
                    api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(vmi.getMetadata().getName()).delete();
                }
                assertEquals(10, started);
                Waits.until("every pod's directory gone", Duration.ofSeconds(120), () -> noPodsIn(data.resolve("pods")));
            } finally {
                agent.close(); // stops watching; nothing of the pods may stay
            }
            Waits.until("nothing of instance " + scope.id() + " left", Duration.ofSeconds(60), () -> leftovers(scope, data).isEmpty());
            System.err.println("NoLeftoversIT: 100 cycles and cleanup in " + Duration.between(began, Instant.now()).toSeconds() + " s");
        } finally {
            List<String> left = leftovers(HostScope.of(data), data);
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertEquals(List.of(), left, "left behind");
        }
    }

    private static GenericKubernetesResource createVmi(EmbeddedApi api, String name, String image) {
        GenericKubernetesResource vmi = new GenericKubernetesResourceBuilder().withApiVersion("kubevirt.io/v1").withKind("VirtualMachineInstance")
                .withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .addToAdditionalProperties("spec", Map.of("terminationGracePeriodSeconds", 0,
                        "domain", Map.of("devices", Map.of("disks", List.of(Map.of("name", "containerdisk", "disk", Map.of("bus", "virtio")))),
                                "resources", Map.of("requests", Map.of("memory", "64Mi"))),
                        "volumes", List.of(Map.of("name", "containerdisk", "containerDisk", Map.of("image", image)))))
                .build();
        return api.controller.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").resource(vmi).create();
    }

    /** What of this instance is still on the host: netns, cgroups, run and disk directories, pod directories, processes. */
    private static List<String> leftovers(HostScope scope, Path data) {
        List<String> left = new ArrayList<>();
        left.addAll(list(Path.of("/run/netns"), "jvirt-" + scope.id() + "-"));
        for (String hierarchy : List.of("memory", "cpu", "pids", "unified")) { // v1 here; unified: the v2 hierarchy of this hybrid host
            left.addAll(list(Path.of("/sys/fs/cgroup", hierarchy, "jvirt"), scope.id() + "-"));
        }
        left.addAll(list(Path.of("/sys/fs/cgroup/jvirt"), scope.id() + "-")); // a v2-only host
        left.addAll(list(HostScope.RUN_ROOT, scope.id() + "-"));
        left.addAll(list(data.resolve("disks"), ""));
        left.addAll(list(data.resolve("pods"), ""));
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                String cmdline = read(p.resolve("cmdline"));
                if (cmdline.contains(data.toString()) || cmdline.contains(scope.runDirectory("").toString())) {
                    left.add("process " + p.getFileName() + ": " + cmdline.replace('\0', ' '));
                }
            });
        } catch (IOException e) {
            left.add("/proc unreadable: " + e);
        }
        return left;
    }

    private static List<String> list(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(Path::toString).filter(p -> Path.of(p).getFileName().toString().startsWith(prefix)).toList();
        } catch (IOException e) {
            return List.of(dir + " unreadable: " + e);
        }
    }
}
