package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.jvirt.handler.pod.LauncherPods;
import io.jvirt.handler.pod.MemoryCgroup;
import io.jvirt.handler.pod.PodPlan;
import io.jvirt.handler.pod.PodProcess;
import io.jvirt.qemu.accel.AccelDecision;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The VMI side of the node agent: prepares a launcher pod's VMI (containerDisk overlays, user-mode
 * network backends, the launch-request file), then drives the launcher over its socket (Start)
 * and turns its domain events into the VMI's status through the status subresource: phase,
 * {@code nodeName}, {@code interfaces}, conditions Ready, Paused, SoftwareEmulation and
 * LiveMigratable, and Succeeded/Failed with the reason. One session per launcher pod; thread-safe.
 */
public final class VmiAgent implements LauncherPods {
    public static final ResourceDefinitionContext VMI = new ResourceDefinitionContext.Builder().withGroup("kubevirt.io")
            .withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances").withNamespaced(true).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(120);
    /**
     * Where launcher run directories (sockets, serial log, cloud-init ISOs) live: short and fixed, because
     * a unix socket path may not exceed 107 bytes and the data directory can be anywhere. Pod UIDs keep
     * the node agents of several jvirt instances on one host apart.
     */
    public static final Path RUN_ROOT = Path.of("/run/jvirt");

    private final KubernetesClient client;
    private final String nodeName;
    private final List<String> launcherCommand;
    private final ImageMirrors mirrors;
    private final ContainerDisks disks;
    private final QemuImg qemuImg;
    private final Supplier<AccelDecision> accel;
    private final String qemuUser;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public VmiAgent(KubernetesClient client, String nodeName, List<String> launcherCommand, ImageMirrors mirrors, ContainerDisks disks,
            QemuImg qemuImg, Supplier<AccelDecision> accel, String qemuUser) {
        this.qemuUser = qemuUser;
        this.client = client;
        this.nodeName = nodeName;
        this.launcherCommand = List.copyOf(launcherCommand);
        this.mirrors = mirrors;
        this.disks = disks;
        this.qemuImg = qemuImg;
        this.accel = accel;
    }

    private record VmiRef(String namespace, String name, String uid) {
        static VmiRef of(Pod pod, PodPlan plan) {
            String ns = plan.flag("--namespace") == null ? pod.getMetadata().getNamespace() : plan.flag("--namespace");
            return new VmiRef(ns, plan.flag("--name"), plan.flag("--uid"));
        }
    }

    @Override
    public List<String> prepare(Pod pod, PodPlan plan, Path podDir) throws Exception {
        if (launcherCommand.isEmpty()) {
            throw new IllegalStateException("no launcher command configured on node " + nodeName);
        }
        VmiRef ref = VmiRef.of(pod, plan);
        JsonNode vmi = JSON.valueToTree(fetch(ref));
        if (vmi.isNull()) {
            throw new IllegalStateException("VMI " + ref.namespace() + "/" + ref.name() + " with uid " + ref.uid() + " not found");
        }
        Path diskDir = Files.createDirectories(podDir.resolve("disks"));
        ObjectNode volumes = JSON.createObjectNode();
        for (JsonNode v : vmi.path("spec").path("volumes")) {
            String name = v.path("name").asText();
            if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
                throw new IllegalArgumentException("volume name not allowed: " + name);
            }
            if (v.has("containerDisk")) {
                String image = v.path("containerDisk").path("image").asText();
                Path layout = mirrors.resolve(image).orElseThrow(() -> new IllegalStateException(
                        "containerDisk image " + image + " is not available on node " + nodeName + " (no registry mirror configured for it)"));
                volumes.set(name, disk(handToQemu(disks.overlay(layout, diskDir.resolve(name + ".qcow2")))));
            } else if (v.has("emptyDisk")) {
                Path file = diskDir.resolve(name + ".qcow2");
                // Kubernetes' grammar, exact; a capacity that is no quantity or beyond a long fails the start with the reason
                long bytes = io.jvirt.api.meta.Quantity.parse(v.path("emptyDisk").path("capacity").asText().strip()).toLongCeiling();
                Files.deleteIfExists(file);
                qemuImg.create(file, ImageFormat.QCOW2, bytes);
                volumes.set(name, disk(handToQemu(file)));
            } else if (!v.has("cloudInitNoCloud") && !v.has("cloudInitConfigDrive")) {
                throw new IllegalStateException("volume " + name + ": this node prepares containerDisk, emptyDisk and cloud-init volumes only");
            }
        }
        ObjectNode networks = JSON.createObjectNode();
        for (JsonNode nic : vmi.path("spec").path("domain").path("devices").path("interfaces")) {
            networks.set(nic.path("name").asText(), JSON.createObjectNode().put("type", "UserMode").put("restrict", true));
        }
        ObjectNode request = JSON.createObjectNode();
        request.set("vmi", vmi);
        request.put("runDirectory", runDirectory(plan.uid()).toString());
        request.put("accel", accel.get().accel().name());
        request.put("tcgTranslationCacheMiB", 32);
        request.set("volumes", volumes);
        request.set("networks", networks);
        if (qemuUser != null) {
            request.put("qemuUser", qemuUser);
        }
        Path file = podDir.resolve("launch-request.json");
        Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(request));
        List<String> argv = new ArrayList<>(launcherCommand);
        argv.add(file.toString());
        return argv;
    }

    /** The launcher in standby mode, warming up in its run directory (see the launcher's {@code Standby}). */
    @Override
    public List<String> standbyCommand(String standbyUid) {
        if (launcherCommand.isEmpty()) {
            return List.of();
        }
        List<String> argv = new ArrayList<>(launcherCommand);
        argv.add("--standby");
        argv.add(runDirectory(standbyUid).toString());
        return argv;
    }

    /** The run directory of launcher pod {@code podUid}: {@code /run/jvirt/<pod uid>}. */
    public static Path runDirectory(String podUid) {
        return RUN_ROOT.resolve(podUid);
    }

    /**
     * Removes run directories whose pod runs nowhere on this host (no process in a memory cgroup of that pod
     * UID), e.g. left by a jvirt home deleted without its pods. Safe beside other jvirt instances: a pod's
     * launcher joins its cgroup before it makes the run directory. Called at agent start.
     */
    public static void removeStaleRunDirectories() {
        if (!Files.isDirectory(RUN_ROOT)) {
            return;
        }
        try (java.util.stream.Stream<Path> dirs = Files.list(RUN_ROOT)) {
            dirs.map(d -> d.getFileName().toString()).filter(VmiAgent::runsNowhere).forEach(VmiAgent::deleteRunDirectory);
        } catch (IOException e) {
            System.err.println("jvirt-handler: listing " + RUN_ROOT + ": " + e);
        }
    }

    private static boolean runsNowhere(String podUid) {
        MemoryCgroup cgroup = MemoryCgroup.forPod(podUid);
        try {
            return !cgroup.exists() || cgroup.pids().isEmpty();
        } catch (IOException | RuntimeException e) {
            return false; // unsure: keep it
        }
    }

    private static void deleteRunDirectory(String podUid) {
        Path dir = runDirectory(podUid);
        try (java.util.stream.Stream<Path> files = Files.exists(dir) ? Files.walk(dir) : java.util.stream.Stream.empty()) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("jvirt-handler: removing " + dir + ": " + e);
        }
    }

    /** Makes a writable per-VMI image QEMU's user's own (no-op when QEMU runs as the launcher's user). */
    private Path handToQemu(Path file) throws IOException {
        if (qemuUser == null) {
            return file;
        }
        String[] ids = qemuUser.split(":");
        Files.setAttribute(file, "unix:uid", Integer.parseInt(ids[0]), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(file, "unix:gid", Integer.parseInt(ids[1]), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static ObjectNode disk(Path file) {
        return JSON.createObjectNode().put("path", file.toString()).put("format", "QCOW2").put("blockDevice", false).put("jvirtOwnedChain", true);
    }

    @Override
    public void running(Pod pod, PodPlan plan, Path podDir) {
        sessions.computeIfAbsent(plan.uid(), uid -> {
            Session s = new Session(VmiRef.of(pod, plan), runDirectory(uid).resolve("launcher.sock"));
            Thread.ofVirtual().name("vmi-" + plan.name()).start(s::drive);
            return s;
        });
    }

    @Override
    public void ended(Pod pod, PodPlan plan, Path podDir, OptionalInt exitCode) {
        Session s = sessions.remove(plan.uid());
        if (s != null) {
            s.close();
        }
        VmiRef ref = VmiRef.of(pod, plan);
        String reason = (exitCode.isEmpty() ? "launcher process ended without an exit status"
                : "launcher exited with code " + exitCode.getAsInt()) + PodProcess.lastLogLine(podDir).map(line -> ": " + line).orElse("");
        writeStatus(ref, exitCode.orElse(-1) == 0 ? "SHUTOFF" : "CRASHED", reason, null, true);
    }

    @Override
    public void gone(String podUid) {
        Session s = sessions.remove(podUid);
        if (s != null) {
            s.close();
        }
        deleteRunDirectory(podUid);
    }

    @Override
    public java.util.Optional<Duration> stopGrace(String podUid) {
        Session s = sessions.get(podUid);
        GenericKubernetesResource vmi = s == null ? null : fetch(s.ref);
        JsonNode grace = vmi == null ? null : JSON.valueToTree(vmi).path("spec").path("terminationGracePeriodSeconds");
        return grace == null || !grace.canConvertToLong() ? java.util.Optional.empty() : java.util.Optional.of(Duration.ofSeconds(grace.asLong()));
    }

    /** The run directory (launcher.sock, serial.sock, vnc.sock) of VMI {@code namespace/name} when its launcher runs here. */
    public java.util.Optional<Path> runDirectory(String namespace, String name) {
        return sessions.values().stream().filter(s -> s.ref.namespace().equals(namespace) && s.ref.name().equals(name))
                .map(s -> s.socket.getParent()).findFirst();
    }

    /** Drives one launcher: connect, Start when defined, then mirror every event into the VMI status. */
    private final class Session {
        private final VmiRef ref;
        private final Path socket;
        private volatile LauncherClient launcher;
        private volatile boolean closed;
        private volatile List<String> argv = List.of();

        Session(VmiRef ref, Path socket) {
            this.ref = ref;
            this.socket = socket;
        }

        void drive() {
            try {
                launcher = connect();
                if (launcher == null) {
                    return;
                }
                JsonNode info = launcher.call("GetDomainInfo", Map.of(), Duration.ofSeconds(10));
                argv = JSON.convertValue(info.path("argv"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
                if ("DEFINED".equals(info.path("state").asText())) {
                    GenericKubernetesResource vmi = fetch(ref);
                    boolean paused = vmi != null && "Paused".equals(JSON.valueToTree(vmi).path("spec").path("startStrategy").asText());
                    launcher.call("Start", Map.of("paused", paused), Duration.ofSeconds(60));
                    info = launcher.call("GetDomainInfo", Map.of(), Duration.ofSeconds(10));
                }
                onState(info.path("state").asText(), null);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("jvirt-handler: VMI " + ref.namespace() + "/" + ref.name() + ": " + e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private LauncherClient connect() throws InterruptedException {
            Instant deadline = Instant.now().plus(CONNECT_TIMEOUT);
            while (!closed && Instant.now().isBefore(deadline)) {
                if (Files.exists(socket)) {
                    try {
                        return LauncherClient.connect(socket, e -> onState(e.state(), e.reason()));
                    } catch (IOException e) {
                        // not listening yet
                    }
                }
                Thread.sleep(10);
            }
            return null;
        }

        synchronized void onState(String state, String reason) {
            if (!closed) {
                writeStatus(ref, state, reason, argv, false);
            }
        }

        void close() {
            closed = true;
            LauncherClient c = launcher;
            if (c != null) {
                c.close();
            }
        }
    }

    private GenericKubernetesResource fetch(VmiRef ref) {
        GenericKubernetesResource vmi = client.genericKubernetesResources(VMI).inNamespace(ref.namespace()).withName(ref.name()).get();
        if (vmi == null || (ref.uid() != null && !ref.uid().equals(vmi.getMetadata().getUid()))) {
            return null;
        }
        return vmi;
    }

    /**
     * Writes the VMI status for a domain state (CAS, retried on conflict). A final phase is never
     * left again; {@code fromPodEnd} only fills in a final phase when the launcher's events did not.
     */
    private void writeStatus(VmiRef ref, String domainState, String reason, List<String> argv, boolean fromPodEnd) {
        VmiStatusMapping m = VmiStatusMapping.of(domainState);
        for (int attempt = 0; attempt < 10; attempt++) {
            GenericKubernetesResource vmi = fetch(ref);
            if (vmi == null) {
                return;
            }
            ObjectNode status = vmi.getAdditionalProperties().get("status") == null ? JSON.createObjectNode()
                    : JSON.valueToTree(vmi.getAdditionalProperties().get("status"));
            String current = status.path("phase").asText("");
            if (current.equals("Succeeded") || current.equals("Failed")) {
                return;
            }
            if (fromPodEnd && !m.finalPhase()) {
                return;
            }
            VmiStatusUpdate.apply(status, JSON.valueToTree(vmi.getAdditionalProperties().get("spec")), m, reason, nodeName, accel.get(), argv == null ? List.of() : argv, now());
            vmi.getAdditionalProperties().put("status", JSON.convertValue(status, Map.class));
            try {
                client.genericKubernetesResources(VMI).inNamespace(ref.namespace()).resource(vmi).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409) {
                    System.err.println("jvirt-handler: status of VMI " + ref.name() + ": " + e.getMessage());
                    return;
                }
            }
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
