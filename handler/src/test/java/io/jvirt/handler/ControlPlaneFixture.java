package io.jvirt.handler;

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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One machine's product, for tests: the embedded API server, the real controller process
 * ({@code io.jvirt.controller.ControllerMain} from the test class path, never imported) with its scheduler, and a node
 * agent {@code node-cp} running QEMU as each launcher pod's one process; {@link #start} returns once the controller is at work.
 * {@link #close} deletes every VM and VMI (waiting for their
 * pods to be torn down while the agent still runs), then stops everything and removes the data directory.
 */
public final class ControlPlaneFixture implements AutoCloseable {
    public static final String NODE = "node-cp";
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));

    public final EmbeddedApi api;
    public final NodeAgent agent;
    public final Path data;
    private final Process controller;

    private ControlPlaneFixture(EmbeddedApi api, NodeAgent agent, Path data, Process controller) {
        this.api = api;
        this.agent = agent;
        this.data = data;
        this.controller = controller;
    }

    /** Whether the demo containerDisk is built (images/demo/build.sh); tests that boot it assume so. */
    public static boolean demoImageBuilt() {
        return Files.isDirectory(BUILD.resolve("images/demo/containerdisk"));
    }

    public static ControlPlaneFixture start() throws Exception {
        Path data = Files.createTempDirectory("jvirt-handler-cp");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // QEMU's user passes
        String java = ProcessHandle.current().info().command().orElseThrow();
        EmbeddedApi api = EmbeddedApi.start();
        Process controller = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.jvirt.controller.ControllerMain", api.kubeconfig(ComponentIdentity.CONTROLLER).toString(),
                "--scheduler-kubeconfig", api.kubeconfig(ComponentIdentity.SCHEDULER).toString())
                .redirectErrorStream(true).redirectOutput(data.resolve("controller.log").toFile()).start();
        HandlerConfig config = HandlerConfig.defaults(NODE, data.resolve("node"), BUILD)
                .withHeartbeat(Duration.ofSeconds(2));
        NodeAgent agent = new NodeAgent(api.nodeAgent, config);
        agent.start();
        // the controller is at work once it reports the KubeVirt CR deployed (its informers have synced)
        Waits.until("the controller's KubeVirt CR Deployed", Duration.ofSeconds(120), () -> {
            GenericKubernetesResource kv = api.client.genericKubernetesResources("kubevirt.io/v1", "KubeVirt").inNamespace("kubevirt")
                    .withName("kubevirt").get();
            return kv != null && kv.getAdditionalProperties().get("status") instanceof java.util.Map<?, ?> s && "Deployed".equals(s.get("phase"));
        });
        return new ControlPlaneFixture(api, agent, data, controller);
    }

    /** The VMI {@code name} in {@code default}, or null. */
    public GenericKubernetesResource vmi(String name) {
        return api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(name).get();
    }

    /** The launcher pod of the VMI with uid {@code vmiUid}, once it exists. */
    public Pod launcherPod(String vmiUid) throws InterruptedException {
        return Waits.until("launcher pod of " + vmiUid, Duration.ofSeconds(30), () -> api.client.pods().inNamespace("default")
                .withLabel("kubevirt.io/created-by", vmiUid).list().getItems().stream().findFirst().orElse(null));
    }

    /** The QEMU process in pod {@code podUid}'s cgroup. */
    public long qemuPid(String podUid) throws IOException {
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

    /** The stock kubectl's output, or "" when it fails (for polling: the object may not be there yet). */
    public String kubectlOrEmpty(String... args) {
        try {
            return api.kubectl(args);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** What a failing test should show: the controller's log. */
    public String controllerLog() {
        return TestFiles.read(data.resolve("controller.log"));
    }

    @Override
    public void close() throws Exception {
        try {
            api.client.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine").inNamespace("default").delete();
            api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").delete();
            Waits.until("VMIs gone", Duration.ofSeconds(90),
                    () -> api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").list().getItems().isEmpty());
            Waits.until("pods cleaned up", Duration.ofSeconds(60), () -> TestFiles.noPodsIn(data.resolve("node/pods")));
        } finally {
            agent.close();
            controller.destroy();
            controller.waitFor(20, TimeUnit.SECONDS);
            controller.destroyForcibly();
            api.close();
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
