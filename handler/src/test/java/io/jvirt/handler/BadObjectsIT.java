package io.jvirt.handler;

import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.TestFiles.read;
import static io.jvirt.handler.VmiStatusView.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.handler.vmi.VmiAgent;
import io.jvirt.store.ObjectKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No object stops VM/VMI handling (issue 13): the real controller process and this node agent meet
 * VMIs, a VM and a Pod they cannot read or cannot run — memory {@code 1Ei} (valid in Kubernetes, more
 * than any node has), {@code 1e100} (more than a pod can request), quantities that do not parse
 * ({@code 1.5.5Gi}, {@code Mi}, {@code 1 Gi}), a pod whose {@code containers} is a string — some present
 * before the controller starts (its informers' first list), the rest arriving on the watch. Each gets
 * a reason (phase Failed, a condition, an event); a normal VMI created afterwards boots in QEMU and
 * reaches Running.
 *
 * <p>Objects today's admission refuses are written to the store under the API server, as an older
 * version of the API server admitted them: their JSON is what such a version stored (the request body
 * plus uid, creationTimestamp and generation), and the API server's watches see the write.
 */
class BadObjectsIT {
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE = "node-bad";

    @Test
    void unreadableAndUnrunnableObjectsGetAReasonAndANormalVmiStillRuns() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        Path data = Files.createTempDirectory("jvirt-handler-bad");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // QEMU (nobody) passes
        String java = ProcessHandle.current().info().command().orElseThrow();
        try (EmbeddedApi api = EmbeddedApi.start()) {
            // before the controller starts: its informers meet this one in their first list
            stored(api, "kubevirt.io", "virtualmachineinstances", vmi("unreadable-listed", "1.5.5Gi"));

            Process controller = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    "io.jvirt.controller.ControllerMain", api.kubeconfig(ComponentIdentity.CONTROLLER).toString(),
                    "--scheduler-kubeconfig", api.kubeconfig(ComponentIdentity.SCHEDULER).toString())
                    .redirectErrorStream(true).redirectOutput(data.resolve("controller.log").toFile()).start();
            HandlerConfig config = HandlerConfig.defaults(NODE, data.resolve("node"), BUILD)
                    .withHeartbeat(Duration.ofSeconds(2));
            NodeAgent agent = new NodeAgent(api.nodeAgent, config);
            try {
                agent.start();
                failedWith(api, "unreadable-listed", "FailedCreate", Duration.ofSeconds(90), data);
                assertTrue(event(api, "unreadable-listed", "FailedRead").contains("spec.domain.memory.guest: quantity '1.5.5Gi' is not valid"));

                // on the watch, while everything runs
                stored(api, "kubevirt.io", "virtualmachineinstances", vmi("unreadable-watched", "Mi"));
                stored(api, "kubevirt.io", "virtualmachines", vm("vm-unreadable", "1 Gi"));
                String malformedPod = stored(api, "", "pods", malformedLauncherPod("malformed"));
                admitted(api, "kubevirt.io", "virtualmachineinstances", vmi("huge-1ei", "1Ei"));
                admitted(api, "kubevirt.io", "virtualmachineinstances", vmi("huge-1e100", "1e100"));
                admitted(api, "kubevirt.io", "virtualmachines", vm("vm-1ei", "1Ei"));

                api.kubectl("create", "-f", write(data, vmi("good", "128Mi")).toString());
                try {
                    Waits.until("VMI good Running", Duration.ofSeconds(240), () -> "Running".equals(phase(api, "good")));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nVMIs: " + api.kubectl("get", "vmi", "-o", "yaml") + "\nevents: "
                            + api.kubectl("get", "events") + "\ncontroller log: " + read(data.resolve("controller.log")), e);
                }

                failedWith(api, "unreadable-watched", "FailedCreate", Duration.ofSeconds(60), data);
                assertTrue(event(api, "unreadable-watched", "FailedRead").contains("spec.domain.memory.guest: quantity 'Mi' is not valid"));
                failedWith(api, "huge-1e100", "FailedCreate", Duration.ofSeconds(60), data);
                assertTrue(event(api, "huge-1e100", "FailedCreate").contains("quantity 1e100 is too large"));
                Waits.until("huge-1ei unschedulable with the reason", Duration.ofSeconds(60),
                        () -> conditionMessage(vmiObject(api, "huge-1ei"), "PodScheduled").contains("Insufficient memory"));
                Waits.until("vm-1ei ErrorUnschedulable", Duration.ofSeconds(60),
                        () -> "ErrorUnschedulable".equals(status(vmObject(api, "vm-1ei")).get("printableStatus")));
                Waits.until("vm-unreadable Failure FailedRead", Duration.ofSeconds(60),
                        () -> conditionMessage(vmObject(api, "vm-unreadable"), "Failure").contains("quantity '1 Gi' is not valid"));
                assertTrue(event(api, "malformed", "FailedRead").contains("spec.containers"), "the malformed pod is reported");
                assertFalse(Files.exists(data.resolve("node/pods").resolve(malformedPod)), "the malformed pod was not run");
                String log = read(data.resolve("controller.log"));
                assertFalse(log.contains("will stop"), "no informer of the controller stopped:\n" + log);
                assertTrue(controller.isAlive());
            } finally {
                // kubectl reads any JSON: fabric8's typed client would fail on the malformed pod
                api.kubectl("delete", "vm", "--all", "--wait=false");
                api.kubectl("delete", "vmi", "--all", "--wait=false");
                api.kubectlAs(ComponentIdentity.CONTROLLER, "delete", "pods", "--all", "--wait=false"); // launcher pods are the controller's
                Waits.until("pods cleaned up", Duration.ofSeconds(90), () -> noPodsIn(data.resolve("node/pods")));
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

    /** A VMI like KubeVirt's vmi-ephemeral example (demo containerDisk) with this guest memory. */
    static ObjectNode vmi(String name, String memory) throws IOException {
        return (ObjectNode) JSON.readTree("""
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"%s","namespace":"default"},
                 "spec":{"domain":{"devices":{"disks":[{"disk":{"bus":"virtio"},"name":"containerdisk"}]},"memory":{"guest":"%s"},
                 "resources":{}},"terminationGracePeriodSeconds":0,
                 "volumes":[{"containerDisk":{"image":"registry:5000/kubevirt/cirros-container-disk-demo:devel"},"name":"containerdisk"}]}}
                """.formatted(name, memory));
    }

    static ObjectNode vm(String name, String memory) throws IOException {
        ObjectNode vm = (ObjectNode) JSON.readTree("""
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"%s","namespace":"default"},
                 "spec":{"runStrategy":"Always","template":{"metadata":{"labels":{"kubevirt.io/vm":"%s"}}}}}
                """.formatted(name, name));
        ((ObjectNode) vm.path("spec").path("template")).set("spec", vmi(name, memory).get("spec"));
        return vm;
    }

    /** A launcher-labelled pod bound to this node whose {@code containers} is a string: accepted by older versions. */
    static ObjectNode malformedLauncherPod(String name) throws IOException {
        return (ObjectNode) JSON.readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"default","labels":{"kubevirt.io":"virt-launcher"}},
                 "spec":{"nodeName":"%s","containers":"not-a-list"}}
                """.formatted(name, NODE));
    }

    /** Writes {@code object} to the store as an older API server admitted it; returns its uid. */
    static String stored(EmbeddedApi api, String group, String plural, ObjectNode object) {
        ObjectNode meta = (ObjectNode) object.get("metadata");
        String uid = UUID.randomUUID().toString();
        meta.put("uid", uid).put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).put("generation", 1);
        api.store().create(new ObjectKey(group, plural, meta.get("namespace").asText(), meta.get("name").asText()),
                object.toString().getBytes(StandardCharsets.UTF_8));
        return uid;
    }

    /**
     * Creates {@code object} with kubectl; if today's admission refuses it (a bound jvirt does not have to
     * accept), writes it to the store as an older version admitted it, so the controllers still meet it.
     */
    static void admitted(EmbeddedApi api, String group, String plural, ObjectNode object) throws IOException, InterruptedException {
        Path file = Files.createTempFile("bad-object", ".json");
        try {
            Files.writeString(file, object.toString());
            api.kubectl("create", "-f", file.toString());
        } catch (IOException refused) {
            System.err.println("admission refused " + object.path("metadata").path("name").asText() + ", stored directly: " + refused.getMessage());
            stored(api, group, plural, object);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Path write(Path dir, ObjectNode object) throws IOException {
        Path file = dir.resolve(object.path("metadata").path("name").asText() + ".json");
        Files.writeString(file, object.toString());
        return file;
    }

    private static void failedWith(EmbeddedApi api, String vmi, String reason, Duration timeout, Path data) throws InterruptedException {
        try {
            Waits.until("VMI " + vmi + " Failed (" + reason + ")", timeout, () -> {
                Map<String, Object> s = status(vmiObject(api, vmi));
                return "Failed".equals(s.get("phase")) && reason.equals(s.get("reason"));
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nstatus: " + status(vmiObject(api, vmi)) + "\ncontroller log: "
                    + read(data.resolve("controller.log")), e);
        }
    }

    private static String phase(EmbeddedApi api, String vmi) {
        return String.valueOf(status(vmiObject(api, vmi)).get("phase"));
    }

    private static GenericKubernetesResource vmiObject(EmbeddedApi api, String name) {
        return api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(name).get();
    }

    private static GenericKubernetesResource vmObject(EmbeddedApi api, String name) {
        return api.client.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine").inNamespace("default").withName(name).get();
    }

    @SuppressWarnings("unchecked")
    private static String conditionMessage(GenericKubernetesResource o, String type) {
        List<Map<String, Object>> conditions = (List<Map<String, Object>>) status(o).getOrDefault("conditions", List.of());
        return conditions.stream().filter(c -> type.equals(c.get("type"))).map(c -> c.get("reason") + ": " + c.get("message"))
                .findFirst().orElse("");
    }

    /** The message of the first event {@code reason} about object {@code name}; waits up to 30 s for it. */
    private static String event(EmbeddedApi api, String name, String reason) throws InterruptedException {
        return Waits.until("event " + reason + " on " + name, Duration.ofSeconds(30), () -> api.client.v1().events().inNamespace("default")
                .list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getMessage).findFirst().orElse(null));
    }
}
