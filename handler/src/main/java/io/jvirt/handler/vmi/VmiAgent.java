package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.jvirt.api.v1.FailureReason;
import io.jvirt.api.v1.LaunchFailure;
import io.jvirt.handler.metrics.DomainStatsSource;
import io.jvirt.handler.pod.LauncherOwner;
import io.jvirt.handler.pod.LauncherPods;
import io.jvirt.handler.pod.PodPaths;
import io.jvirt.handler.pod.PodPlan;
import io.jvirt.handler.pod.PodProcess;
import io.jvirt.handler.pod.PodRefusedException;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
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
public final class VmiAgent implements LauncherPods, DomainStatsSource {
    public static final ResourceDefinitionContext VMI = new ResourceDefinitionContext.Builder().withGroup("kubevirt.io")
            .withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances").withNamespaced(true).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final String nodeName;
    private final List<String> launcherCommand;
    private final ImagePulls images;
    private final QemuImg qemuImg;
    private final Supplier<AccelDecision> accel;
    private final String qemuUser;
    private final ClaimVolumes claims;
    private final HostDisks hostDisks;
    private final ConfigVolumes configVolumes;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /**
     * @param volumesDir the local-path volumes root for persistentVolumeClaim and dataVolume volumes, or null
     * @param hostDiskGate whether the KubeVirt CR enables the HostDisk feature gate (hostDisk volumes)
     */
    public VmiAgent(KubernetesClient client, String nodeName, List<String> launcherCommand, ContainerDisks disks,
            QemuImg qemuImg, Supplier<AccelDecision> accel, String qemuUser, Path volumesDir, java.util.function.BooleanSupplier hostDiskGate) {
        this.qemuUser = qemuUser;
        java.util.function.Consumer<Path> toQemu = path -> {
            try {
                giveToQemu(path);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        this.claims = new ClaimVolumes(client, volumesDir, qemuImg, toQemu);
        this.hostDisks = new HostDisks(hostDiskGate, toQemu);
        this.configVolumes = new ConfigVolumes(client, toQemu);
        this.client = client;
        this.nodeName = nodeName;
        this.launcherCommand = List.copyOf(launcherCommand);
        this.images = new ImagePulls(client, disks);
        this.qemuImg = qemuImg;
        this.accel = accel;
    }

    private record VmiRef(String namespace, String name, String uid) {
        static VmiRef of(LauncherOwner owner) {
            return new VmiRef(owner.namespace(), owner.vmiName(), owner.vmiUid());
        }
    }

    /**
     * The pod's owner VMI must exist with the uid the pod names, not be final or deleted, and, once the VMI
     * controller has recorded its pods ({@code status.activePods}), list this pod among them.
     */
    @Override
    public void verify(Pod pod, LauncherOwner owner) throws PodRefusedException {
        String what = "VirtualMachineInstance " + owner.namespace() + "/" + owner.vmiName();
        GenericKubernetesResource found = client.genericKubernetesResources(VMI).inNamespace(owner.namespace()).withName(owner.vmiName()).get();
        if (found == null) {
            throw new PodRefusedException("VmiNotFound", what + " (the pod's owner) does not exist");
        }
        if (!owner.vmiUid().equals(found.getMetadata().getUid())) {
            throw new PodRefusedException("VmiMismatch", what + " has uid " + found.getMetadata().getUid()
                    + ", the pod's owner reference names uid " + owner.vmiUid());
        }
        if (found.getMetadata().getDeletionTimestamp() != null) {
            throw new PodRefusedException("VmiDeleted", what + " is being deleted");
        }
        JsonNode status = JSON.valueToTree(found).path("status");
        String phase = status.path("phase").asText("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            throw new PodRefusedException("VmiFinished", what + " is already " + phase);
        }
        JsonNode active = status.path("activePods");
        if (active.isObject() && active.size() > 0 && !active.has(pod.getMetadata().getUid())) {
            List<String> names = new ArrayList<>();
            active.fieldNames().forEachRemaining(names::add);
            throw new PodRefusedException("VmiMismatch", what + " runs in pod(s) " + names + ", not in this one");
        }
    }

    @Override
    public List<String> prepare(Pod pod, LauncherOwner owner, PodPlan plan, PodPaths paths) throws Exception {
        if (launcherCommand.isEmpty()) {
            throw new IllegalStateException("no launcher command configured on node " + nodeName);
        }
        VmiRef ref = VmiRef.of(owner);
        JsonNode vmi = JSON.valueToTree(fetch(ref));
        if (vmi.isNull()) {
            throw new IllegalStateException("VMI " + ref.namespace() + "/" + ref.name() + " with uid " + ref.uid() + " not found");
        }
        Path diskDir = qemuDirectory(paths.diskDirectory());
        ObjectNode volumes = JSON.createObjectNode();
        for (JsonNode v : vmi.path("spec").path("volumes")) {
            String name = v.path("name").asText();
            if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
                throw new IllegalArgumentException("volume name not allowed: " + name);
            }
            if (v.has("containerDisk")) {
                volumes.set(name, disk(handToQemu(images.overlay(ref.namespace(), v.path("containerDisk"), diskDir.resolve(name + ".qcow2")))));
            } else if (v.has("emptyDisk")) {
                Path file = diskDir.resolve(name + ".qcow2");
                // Kubernetes' grammar, exact; a capacity that is no quantity or beyond a long fails the start with the reason
                long bytes = io.jvirt.api.meta.Quantity.parse(v.path("emptyDisk").path("capacity").asText().strip()).toLongCeiling();
                Files.deleteIfExists(file);
                qemuImg.create(file, ImageFormat.QCOW2, bytes);
                volumes.set(name, disk(handToQemu(file)));
            } else if (ClaimVolumes.handles(v)) {
                volumes.set(name, claims.prepare(ref.namespace(), v, diskDir));
            } else if (v.has("hostDisk")) {
                volumes.set(name, hostDisks.prepare(v));
            } else if (ConfigVolumes.handles(v)) {
                volumes.set(name, rawDisk(configVolumes.prepare(pod, v, diskDir)));
            } else if (!v.has("cloudInitNoCloud") && !v.has("cloudInitConfigDrive")) {
                throw new LaunchFailure(FailureReason.START_ERROR, "volume " + name + ": this node prepares containerDisk, emptyDisk, "
                        + "persistentVolumeClaim, dataVolume, ephemeral, hostDisk, configMap, secret, serviceAccount, downwardAPI and cloud-init volumes only");
            }
        }
        JsonNode kernelBoot = vmi.path("spec").path("domain").path("firmware").path("kernelBoot").path("container");
        ObjectNode kernel = null;
        if (kernelBoot.isObject()) {
            ContainerDisks.Kernel files = images.kernel(ref.namespace(), kernelBoot);
            kernel = JSON.createObjectNode().put("kernel", files.kernel().toString())
                    .put("initrd", files.initrd() == null ? null : files.initrd().toString());
        }
        ObjectNode networks = JSON.createObjectNode();
        for (JsonNode nic : vmi.path("spec").path("domain").path("devices").path("interfaces")) {
            networks.set(nic.path("name").asText(), JSON.createObjectNode().put("type", "UserMode").put("restrict", true));
        }
        ObjectNode request = JSON.createObjectNode();
        request.set("vmi", vmi);
        request.put("runDirectory", paths.runDirectory().toString());
        request.put("accel", accel.get().accel().name());
        request.put("tcgTranslationCacheMiB", 32);
        request.set("volumes", volumes);
        request.set("networks", networks);
        request.set("secrets", JSON.valueToTree(configVolumes.cloudInitSecrets(ref.namespace(), vmi.path("spec").path("volumes"))));
        if (kernel != null) {
            request.set("kernel", kernel);
        }
        if (qemuUser != null) {
            request.put("qemuUser", qemuUser);
        }
        Path file = paths.podDir().resolve("launch-request.json"); // holds cloud-init user data: root's, 0600
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(request));
        List<String> argv = new ArrayList<>(launcherCommand);
        argv.add(file.toString());
        return argv;
    }

    /** The launcher in standby mode, warming up in its run directory (see the launcher's {@code Standby}). */
    @Override
    public List<String> standbyCommand(Path runDirectory) {
        if (launcherCommand.isEmpty()) {
            return List.of();
        }
        List<String> argv = new ArrayList<>(launcherCommand);
        argv.add("--standby");
        argv.add(runDirectory.toString());
        return argv;
    }

    /** Makes {@code dir} QEMU's user's own with mode 0700 (made fresh: nothing of an earlier start stays). */
    private Path qemuDirectory(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        giveToQemu(dir);
        return dir;
    }

    private void giveToQemu(Path path) throws IOException {
        if (qemuUser == null) {
            return;
        }
        String[] ids = qemuUser.split(":");
        Files.setAttribute(path, "unix:uid", Integer.parseInt(ids[0]), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", Integer.parseInt(ids[1]), LinkOption.NOFOLLOW_LINKS);
    }


    /** Makes a writable per-VMI image QEMU's user's own, mode 0600. */
    private Path handToQemu(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        giveToQemu(file);
        return file;
    }

    private static ObjectNode rawDisk(Path file) {
        return JSON.createObjectNode().put("path", file.toString()).put("format", "RAW").put("blockDevice", false).put("jvirtOwnedChain", false);
    }

    private static ObjectNode disk(Path file) {
        return JSON.createObjectNode().put("path", file.toString()).put("format", "QCOW2").put("blockDevice", false).put("jvirtOwnedChain", true);
    }

    @Override
    public void running(Pod pod, LauncherOwner owner, PodPaths paths) {
        sessions.computeIfAbsent(pod.getMetadata().getUid(), uid -> {
            Session s = new Session(VmiRef.of(owner), paths.runDirectory().resolve("launcher.sock"));
            Thread.ofVirtual().name("vmi-" + owner.vmiName()).start(s::drive);
            return s;
        });
    }

    @Override
    public void ended(Pod pod, LauncherOwner owner, PodPaths paths, OptionalInt exitCode) {
        Session s = sessions.remove(pod.getMetadata().getUid());
        if (s != null) {
            s.close();
        }
        VmiRef ref = VmiRef.of(owner);
        String reason = (exitCode.isEmpty() ? "launcher process ended without an exit status"
                : "launcher exited with code " + exitCode.getAsInt()) + PodProcess.lastLogLine(paths.podDir()).map(line -> ": " + line).orElse("");
        writeStatus(ref, exitCode.orElse(-1) == 0 ? "SHUTOFF" : "CRASHED", reason, null, true);
    }

    @Override
    public void gone(String podUid) {
        Session s = sessions.remove(podUid);
        if (s != null) {
            s.close();
        }
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

    /** The running QEMUs of this node's launchers: their pid (GetDomainInfo) and QMP queries through the launcher (Query). */
    @Override
    public List<DomainStatsSource.Domain> domains() {
        List<DomainStatsSource.Domain> out = new ArrayList<>();
        for (Session s : sessions.values()) {
            LauncherClient c = s.launcher;
            long pid = s.qemuPid;
            if (c == null || pid <= 0 || s.closed) continue;
            out.add(new DomainStatsSource.Domain(s.ref.namespace(), s.ref.name(), pid,
                    command -> c.call("Query", Map.of("command", command), QUERY_TIMEOUT)));
        }
        return out;
    }

    /** Drives one launcher: connect, Start when defined, then mirror every event into the VMI status. */
    private final class Session {
        private final VmiRef ref;
        private final Path socket;
        private volatile LauncherClient launcher;
        private volatile boolean closed;
        private volatile List<String> argv = List.of();
        private volatile long qemuPid = -1;

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
                qemuPid = info.path("qemuPid").asLong(-1);
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
