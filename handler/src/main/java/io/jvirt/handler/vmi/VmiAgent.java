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
import io.jvirt.api.v1.MultusNetwork;
import io.jvirt.api.v1.Network;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.jvirt.api.v1.VirtualMachineInstance;
import io.jvirt.converter.DiskFormat;
import io.jvirt.converter.DomainEvent;
import io.jvirt.converter.DomainState;
import io.jvirt.converter.FirmwareFiles;
import io.jvirt.converter.LaunchPlan;
import io.jvirt.converter.LaunchRequest;
import io.jvirt.converter.Netdev;
import io.jvirt.converter.NodeHandover;
import io.jvirt.converter.Preparation;
import io.jvirt.converter.ReadyDisk;
import io.jvirt.converter.RunAs;
import io.jvirt.converter.RunDirectory;
import io.jvirt.converter.VmiConverter;
import io.jvirt.converter.KernelFiles;
import io.jvirt.handler.metrics.DomainStatsSource;
import io.jvirt.handler.pod.LauncherOwner;
import io.jvirt.handler.pod.LauncherPods;
import io.jvirt.handler.pod.NetworkAttachments;
import io.jvirt.handler.pod.PodPaths;
import io.jvirt.handler.pod.PodPlan;
import io.jvirt.handler.pod.PodProcess;
import io.jvirt.handler.pod.PodRefusedException;
import io.jvirt.handler.pod.PodSandbox;
import io.jvirt.handler.pod.PodState;
import io.jvirt.network.TapDevice;
import io.jvirt.network.binding.Binding;
import io.jvirt.network.binding.BridgeBinding;
import io.jvirt.network.binding.GuestInterface;
import io.jvirt.network.binding.MasqueradeBinding;
import io.jvirt.network.binding.PasstBinding;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.dhcp.DhcpLease;
import io.jvirt.network.dhcp.DhcpServer;
import io.jvirt.qemu.accel.AccelDecision;
import io.jvirt.qemu.img.ImageFormat;
import io.jvirt.qemu.img.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The VMI side of the node agent, in the order a VM lives: prepares a launcher pod's VMI (containerDisk
 * overlays, emptyDisks, each interface's network backend; then the converter writes cloud-init and the rest into
 * the run directory and turns the VMI into QEMU's argv), wires the pod network interfaces in the pod's namespace
 * ({@link #plug}: taps, KubeVirt's bindings, passt) and serves their DHCP, hands the pod runner that argv to start as
 * the pod's one process, then holds one {@link Supervisor} per VM over QEMU's QMP socket and turns its domain
 * events into the VMI's status through the status subresource: phase, {@code nodeName},
 * {@code interfaces}, conditions Ready, Paused, SoftwareEmulation and LiveMigratable, and
 * Succeeded/Failed with the reason. VMIs are read from an informer of this node's VMIs (label
 * {@code kubevirt.io/nodeName}); one not labelled yet (its pod was just bound) is read once. Thread-safe.
 */
public final class VmiAgent implements LauncherPods, DomainStatsSource, AutoCloseable {
    public static final ResourceDefinitionContext VMI = new ResourceDefinitionContext.Builder().withGroup("kubevirt.io")
            .withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances").withNamespaced(true).build();
    /** The label the VMI controller puts on a VMI once its pod is bound (KubeVirt's). */
    public static final String NODE_NAME_LABEL = "kubevirt.io/nodeName";
    /** QEMU's argv as last started, in the pod directory (root's, 0600): what a re-adopting agent reports interfaces from. */
    static final String ARGV_FILE = "qemu-argv.json";
    private static final System.Logger LOG = System.getLogger(VmiAgent.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final String nodeName;
    private final ImagePulls images;
    private final QemuImg qemuImg;
    private final Supplier<AccelDecision> accel;
    private final String qemuUser;
    private final ClaimVolumes claims;
    private final HostDisks hostDisks;
    private final ConfigVolumes configVolumes;
    private final VmiConverter converter = new VmiConverter();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Whether launcher pods are on the pod network (the pod runner's CNI); else their interfaces are user-mode. */
    private final boolean podNetwork;
    /** The DHCP servers of each pod's guest interfaces (by pod uid), one per bridge or masquerade interface. */
    private final Map<String, List<DhcpServer>> dhcp = new ConcurrentHashMap<>();
    private final SharedIndexInformer<GenericKubernetesResource> informer;

    /**
     * @param qemuUser {@code uid:gid} QEMU runs as (through {@code setpriv}), or null to run it as the agent's own
     *     (unprivileged) user
     * @param volumesDir the local-path volumes root for persistentVolumeClaim and dataVolume volumes, or null
     * @param hostDiskGate whether the KubeVirt CR enables the HostDisk feature gate (hostDisk volumes)
     * @param podNetwork whether the pod runner puts launcher pods on the pod network ({@link #plug} then wires their
     *     interfaces); else every interface is QEMU user-mode networking
     */
    public VmiAgent(KubernetesClient client, String nodeName, ContainerDisks disks, QemuImg qemuImg, Supplier<AccelDecision> accel,
            String qemuUser, Path volumesDir, java.util.function.BooleanSupplier hostDiskGate, boolean podNetwork) {
        this.qemuUser = qemuUser;
        this.podNetwork = podNetwork;
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
        this.images = new ImagePulls(client, disks);
        this.qemuImg = qemuImg;
        this.accel = accel;
        this.informer = client.genericKubernetesResources(VMI).inAnyNamespace().withLabel(NODE_NAME_LABEL, nodeName).inform();
    }

    private record VmiRef(String namespace, String name, String uid) {
        static VmiRef of(LauncherOwner owner) {
            return new VmiRef(owner.namespace(), owner.vmiName(), owner.vmiUid());
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
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
        verifyDefaultNetwork(pod, JSON.valueToTree(found).path("spec").path("networks"), what);
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

    /**
     * The network the pod runner puts the pod's {@code eth0} on instead of the node's pod network (multus' annotation,
     * {@link MultusNetwork#DEFAULT_NETWORK_ANNOTATION}) must be the VMI's multus default network, and absent without
     * one: a pod's annotation never picks a CNI configuration its VMI did not ask for.
     */
    static void verifyDefaultNetwork(Pod pod, JsonNode networks, String what) throws PodRefusedException {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String onPod = annotations == null ? null : annotations.get(MultusNetwork.DEFAULT_NETWORK_ANNOTATION);
        List<Network> declared = networks.isArray() ? JSON.convertValue(networks, new com.fasterxml.jackson.core.type.TypeReference<List<Network>>() {})
                : List.of();
        String asked = MultusNetwork.defaultOf(declared).orElse(null);
        if (!java.util.Objects.equals(onPod, asked)) {
            throw new PodRefusedException("VmiMismatch", "the pod's " + MultusNetwork.DEFAULT_NETWORK_ANNOTATION + " is " + onPod
                    + ", " + what + "'s multus default network " + asked);
        }
    }

    @Override
    public List<String> prepare(Pod pod, LauncherOwner owner, PodPlan plan, PodPaths paths) throws Exception {
        VmiRef ref = VmiRef.of(owner);
        JsonNode vmi = JSON.valueToTree(fetch(ref));
        if (vmi.isNull()) {
            throw new IllegalStateException("VMI " + ref.namespace() + "/" + ref.name() + " with uid " + ref.uid() + " not found");
        }
        Map<String, ReadyDisk> volumes = new HashMap<>();
        Path diskDir = qemuDirectory(paths.diskDirectory());
        for (JsonNode v : vmi.path("spec").path("volumes")) {
            String name = v.path("name").asText();
            if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
                throw new IllegalArgumentException("volume name not allowed: " + name);
            }
            if (v.has("containerDisk")) {
                volumes.put(name, disk(handToQemu(images.overlay(ref.namespace(), v.path("containerDisk"), diskDir.resolve(name + ".qcow2")))));
            } else if (v.has("emptyDisk")) {
                Path file = diskDir.resolve(name + ".qcow2");
                // Kubernetes' grammar, exact; a capacity that is no quantity or beyond a long fails the start with the reason
                long bytes = io.jvirt.api.meta.Quantity.parse(v.path("emptyDisk").path("capacity").asText().strip()).toLongCeiling();
                Files.deleteIfExists(file);
                qemuImg.create(file, ImageFormat.QCOW2, bytes);
                volumes.put(name, disk(handToQemu(file)));
            } else if (ClaimVolumes.handles(v)) {
                volumes.put(name, claims.prepare(ref.namespace(), v, diskDir));
            } else if (v.has("hostDisk")) {
                volumes.put(name, hostDisks.prepare(v));
            } else if (ConfigVolumes.handles(v)) {
                volumes.put(name, ReadyDisk.file(configVolumes.prepare(pod, v, diskDir), DiskFormat.RAW));
            } else if (!v.has("cloudInitNoCloud") && !v.has("cloudInitConfigDrive")) {
                throw new LaunchFailure(FailureReason.START_ERROR, "volume " + name + ": this node prepares containerDisk, emptyDisk, "
                        + "persistentVolumeClaim, dataVolume, ephemeral, hostDisk, configMap, secret, serviceAccount, downwardAPI and cloud-init volumes only");
            }
        }
        JsonNode kernelBoot = vmi.path("spec").path("domain").path("firmware").path("kernelBoot").path("container");
        KernelFiles kernel = null;
        if (kernelBoot.isObject()) {
            ContainerDisks.Kernel files = images.kernel(ref.namespace(), kernelBoot);
            kernel = new KernelFiles(files.kernel(), files.initrd());
        }
        Map<String, Netdev> networks = new HashMap<>();
        for (GuestNic nic : GuestNic.of(vmi.path("spec"), podNetwork, paths.runDirectory())) {
            networks.put(nic.name(), nic.netdev());
        }
        LaunchRequest request = new LaunchRequest(JSON.treeToValue(vmi, VirtualMachineInstance.class), paths.runDirectory(),
                accel.get().accel(), 32, volumes, networks, kernel,
                configVolumes.cloudInitSecrets(ref.namespace(), vmi.path("spec").path("volumes")), qemuUser);
        NodeHandover handover = Preparation.prepare(request, FirmwareFiles.debianOvmf());
        LaunchPlan launch = converter.convert(request.vmi(), handover);
        List<String> qemu = launch.commandLine().argv();
        Path argvFile = paths.podDir().resolve(ARGV_FILE);
        Files.deleteIfExists(argvFile);
        Files.createFile(argvFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(argvFile, JSON.writeValueAsBytes(qemu));
        return launch.processArgv(qemuUser == null ? null : RunAs.parse(qemuUser));
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

    private static ReadyDisk disk(Path file) {
        return ReadyDisk.jvirtOwned(file, DiskFormat.QCOW2);
    }

    /**
     * KubeVirt's bindings for the VMI's pod network interfaces, in the pod's namespace (the network driver's
     * {@code binding/}): bridge and masquerade get a tap ({@link GuestNic#tap}, returned for QEMU at its descriptor
     * number) wired by the binding, whose DHCP lease is kept in {@code network.json} for {@link #running} to serve; passt
     * starts as QEMU's user and joins the pod's cgroup. Fails (and closes what it opened) when a step fails.
     */
    @Override
    public Map<Integer, TapDevice> plug(Pod pod, LauncherOwner owner, PodPaths paths, PodSandbox sandbox) throws Exception {
        if (sandbox.podNetwork() == null) {
            return Map.of();
        }
        JsonNode vmi = JSON.valueToTree(fetch(VmiRef.of(owner)));
        if (vmi.isNull()) {
            throw new IllegalStateException("VMI " + VmiRef.of(owner) + " not found");
        }
        JsonNode spec = vmi.path("spec");
        Map<String, String> macs = InterfaceMacs.fromArgv(readArgv(paths.podDir()));
        String hostname = spec.path("hostname").asText(vmi.path("metadata").path("name").asText());
        List<String> dns = sandbox.podNetwork().nameservers();
        Map<Integer, TapDevice> taps = new java.util.TreeMap<>();
        List<DhcpLease> leases = new ArrayList<>();
        List<GuestNetwork.Secondary> secondaries = new ArrayList<>();
        try {
            for (GuestNic nic : GuestNic.of(spec, true, paths.runDirectory())) {
                switch (nic.kind()) {
                    case BRIDGE, MASQUERADE -> {
                        CniResult network = sandbox.podNetwork();
                        if (nic.attachment() != null) {
                            network = addSecondary(pod, nic, sandbox);
                            secondaries.add(new GuestNetwork.Secondary(nic.name(), nic.podInterface(),
                                    network.ips().stream().filter(CniResult.IpConfig::ipv4).map(CniResult.IpConfig::ip).toList()));
                        }
                        TapDevice tap = TapDevice.open(sandbox.netns(), nic.tap());
                        taps.put(((Netdev.TapFd) nic.netdev()).fd(), tap);
                        Binding binding = nic.kind() == GuestNic.Kind.BRIDGE ? new BridgeBinding(nic.podInterface()) : new MasqueradeBinding(nic.ports());
                        leases.add(binding.plug(sandbox.netns(), network,
                                new GuestInterface(nic.tap(), macs.get(nic.name()), DhcpLease.isHostname(hostname) ? hostname : null, dns)));
                    }
                    case PASST -> {
                        RunAs user = RunAs.parse(qemuUser); // a pod network means a root agent, which always has QEMU's user
                        PasstBinding.Passt passt = new PasstBinding(nic.ports()).start(sandbox.netns(), paths.runDirectory(), user.uid(), user.gid(), dns);
                        sandbox.cgroup().join(passt.pid()); // limited, counted and ended with the pod
                    }
                    case USER_MODE -> { }
                }
            }
            GuestNetwork.save(paths.podDir(),
                    new GuestNetwork(sandbox.podNetwork().ips().stream().map(CniResult.IpConfig::ip).toList(), leases, secondaries));
            return taps;
        } catch (Exception e) {
            for (TapDevice tap : taps.values()) {
                tap.close();
            }
            throw e;
        }
    }

    /**
     * Runs the CNI configuration of the NetworkAttachmentDefinition {@code nic}'s secondary network names for its pod
     * interface {@code net<n>} (the pod network's DEL and sweep take it down with the pod). A missing definition
     * fails the start with KubeVirt's message.
     */
    private CniResult addSecondary(Pod pod, GuestNic nic, PodSandbox sandbox) throws IOException {
        JsonNode config = NetworkAttachments.config(client, pod.getMetadata().getNamespace(), nic.attachment());
        return sandbox.network().addSecondary(pod.getMetadata().getUid(), sandbox.netns(), nic.podInterface(), config);
    }

    @Override
    public void running(Pod pod, LauncherOwner owner, PodPaths paths) {
        dhcp.computeIfAbsent(pod.getMetadata().getUid(), uid -> serveDhcp(paths));
        session(pod.getMetadata().getUid(), VmiRef.of(owner), paths, true);
    }

    /**
     * Starts a DHCP server in the pod's namespace for each lease {@link #plug} kept (again after an agent restart: the
     * leases are infinite, so the guest gets the same answer). A server that cannot start is logged in the pod's log.
     */
    private List<DhcpServer> serveDhcp(PodPaths paths) {
        List<DhcpServer> servers = new ArrayList<>();
        for (DhcpLease lease : GuestNetwork.load(paths.podDir()).leases()) {
            try {
                servers.add(DhcpServer.start(new io.jvirt.network.NetworkNamespace(paths.netns()), lease));
            } catch (IOException | RuntimeException e) {
                PodProcess.logAgentLine(paths.podDir(), "no DHCP for " + lease + ": " + e.getMessage());
                LOG.log(System.Logger.Level.WARNING, "DHCP server for " + lease + " in " + paths.netns() + ": " + e.getMessage());
            }
        }
        return servers;
    }

    /** Closes the DHCP servers of pod {@code podUid}. Idempotent. */
    private void stopDhcp(String podUid) {
        List<DhcpServer> servers = dhcp.remove(podUid);
        for (DhcpServer server : servers == null ? List.<DhcpServer>of() : servers) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing DHCP server " + server.lease() + ": " + e.getMessage());
            }
        }
    }

    private Session session(String podUid, VmiRef ref, PodPaths paths, boolean attach) {
        return sessions.computeIfAbsent(podUid, uid -> {
            Session s = new Session(ref, paths);
            if (attach) {
                Thread.ofVirtual().name("vmi-" + ref.name()).start(s::attach);
            }
            return s;
        });
    }

    /** QEMU has ended: its supervisor gives the final state (once; a VMI already final is left as it is). */
    @Override
    public void ended(Pod pod, LauncherOwner owner, PodPaths paths, OptionalInt exitCode) {
        VmiRef ref = VmiRef.of(owner);
        if (!sessions.containsKey(pod.getMetadata().getUid()) && isFinal(fetch(ref))) {
            return;
        }
        Session s = session(pod.getMetadata().getUid(), ref, paths, false);
        s.supervisor.qemuExited(exitCode, PodProcess.lastProcessLine(paths.podDir()).orElse(null));
        sessions.remove(pod.getMetadata().getUid(), s);
        s.close();
        stopDhcp(pod.getMetadata().getUid());
    }

    @Override
    public void gone(String podUid) {
        stopDhcp(podUid);
        Session s = sessions.remove(podUid);
        if (s != null) {
            s.close();
        }
    }

    /** Stops the VM gracefully within the shorter of the pod's grace period and the VMI's current one. */
    @Override
    public void stop(String podUid, PodPaths paths, Duration grace) throws InterruptedException {
        Session s = sessions.get(podUid);
        if (s == null) {
            return; // never adopted by this agent: the pod runner ends the process
        }
        GenericKubernetesResource vmi = fetch(s.ref);
        JsonNode asked = vmi == null ? null : JSON.valueToTree(vmi).path("spec").path("terminationGracePeriodSeconds");
        Duration vmiGrace = asked == null || !asked.canConvertToLong() ? grace : Duration.ofSeconds(asked.asLong());
        s.attached.join();
        s.supervisor.stop(vmiGrace.compareTo(grace) < 0 ? vmiGrace : grace);
    }

    /**
     * Stops every VM gracefully (each within the shorter of its grace period and {@code within}) and returns
     * once each has reached its final state (status written) or {@code within} (plus 10 s) has passed.
     */
    public void stopAll(Duration within) throws InterruptedException {
        List<Thread> stops = new ArrayList<>();
        for (Map.Entry<String, Session> e : sessions.entrySet()) {
            stops.add(Thread.ofVirtual().name("stop-" + e.getValue().ref.name()).start(() -> {
                try {
                    stop(e.getKey(), e.getValue().paths, within);
                    e.getValue().supervisor.finished().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ex) {
                    LOG.log(System.Logger.Level.WARNING, "VMI " + e.getValue().ref + ": stop: " + ex.getMessage());
                }
            }));
        }
        for (Thread t : stops) {
            t.join();
        }
    }

    /** The supervisor of VMI {@code namespace/name} when its QEMU runs here (for console, VNC and actions). */
    public Optional<Supervisor> supervisor(String namespace, String name) {
        return sessions.values().stream().filter(s -> s.ref.namespace().equals(namespace) && s.ref.name().equals(name))
                .map(s -> s.supervisor).filter(s -> !s.state().isFinal()).findFirst();
    }

    /**
     * The running QEMUs of this node: their pid and read-only QMP queries on each VM's own supervisor session
     * (a QEMU whose monitor is not connected answers nothing).
     */
    @Override
    public List<DomainStatsSource.Domain> domains() {
        List<DomainStatsSource.Domain> out = new ArrayList<>();
        for (Session s : sessions.values()) {
            long pid = s.supervisor.qemuPid();
            if (s.closed || s.supervisor.state().isFinal() || pid <= 0) continue;
            out.add(new DomainStatsSource.Domain(s.ref.namespace(), s.ref.name(), pid, command -> s.supervisor.query(command).orElse(null)));
        }
        return out;
    }

    /** One VM's supervisor and the status writes of its events (one at a time, in order). */
    private final class Session {
        private final VmiRef ref;
        private final PodPaths paths;
        private final Supervisor supervisor;
        private final java.util.concurrent.CompletableFuture<Void> attached = new java.util.concurrent.CompletableFuture<>();
        private final List<String> argv;
        private final GuestNetwork network;
        private volatile boolean closed;

        Session(VmiRef ref, PodPaths paths) {
            this.ref = ref;
            this.paths = paths;
            this.argv = readArgv(paths.podDir());
            this.network = GuestNetwork.load(paths.podDir());
            Optional<ProcessHandle> qemu;
            try {
                qemu = PodState.load(paths.podDir()).flatMap(PodProcess::handle);
            } catch (IOException e) {
                qemu = Optional.empty();
            }
            this.supervisor = new Supervisor(ref.toString(), new RunDirectory(paths.runDirectory()), qemu, this::onEvent);
        }

        void attach() {
            try {
                GenericKubernetesResource vmi = fetch(ref);
                boolean paused = vmi != null && "Paused".equals(JSON.valueToTree(vmi).path("spec").path("startStrategy").asText());
                supervisor.attach(paused);
            } catch (IOException e) {
                if (!closed) {
                    PodProcess.logAgentLine(paths.podDir(), "cannot reach QEMU's monitor: " + e.getMessage());
                    LOG.log(System.Logger.Level.WARNING, "VMI " + ref + ": " + e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                attached.complete(null);
            }
        }

        synchronized void onEvent(DomainEvent event) {
            if (closed) {
                return;
            }
            PodProcess.logAgentLine(paths.podDir(), event.state() + ": " + event.reason());
            writeStatus(ref, event.state(), event.reason(), argv, network);
        }

        void close() {
            closed = true;
            supervisor.close();
        }
    }

    private static List<String> readArgv(Path podDir) {
        try {
            return List.of(JSON.readValue(podDir.resolve(ARGV_FILE).toFile(), String[].class));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean isFinal(GenericKubernetesResource vmi) {
        String phase = vmi == null ? "" : JSON.valueToTree(vmi).path("status").path("phase").asText("");
        return vmi == null || phase.equals("Succeeded") || phase.equals("Failed");
    }

    /** The VMI from this node's informer, else (not labelled yet) from the API server; null when gone or replaced. */
    private GenericKubernetesResource fetch(VmiRef ref) {
        GenericKubernetesResource vmi = informer.getStore().getByKey(Cache.namespaceKeyFunc(ref.namespace(), ref.name()));
        if (vmi == null) {
            vmi = client.genericKubernetesResources(VMI).inNamespace(ref.namespace()).withName(ref.name()).get();
        }
        if (vmi == null || (ref.uid() != null && !ref.uid().equals(vmi.getMetadata().getUid()))) {
            return null;
        }
        return vmi;
    }

    /**
     * Writes the VMI status for a domain state (CAS; on a conflict read again from the API server and
     * retried). A final phase is never left again.
     */
    private void writeStatus(VmiRef ref, DomainState domainState, String reason, List<String> argv, GuestNetwork network) {
        VmiStatusMapping m = VmiStatusMapping.of(domainState);
        GenericKubernetesResource vmi = fetch(ref);
        for (int attempt = 0; attempt < 10 && vmi != null; attempt++) {
            ObjectNode status = vmi.getAdditionalProperties().get("status") == null ? JSON.createObjectNode()
                    : JSON.valueToTree(vmi.getAdditionalProperties().get("status"));
            String current = status.path("phase").asText("");
            if (current.equals("Succeeded") || current.equals("Failed")) {
                return;
            }
            VmiStatusUpdate.apply(status, JSON.valueToTree(vmi.getAdditionalProperties().get("spec")), m, reason, nodeName, accel.get(), argv,
                    network.podIps(), network.secondaries(), now());
            vmi.getAdditionalProperties().put("status", JSON.convertValue(status, Map.class));
            try {
                client.genericKubernetesResources(VMI).inNamespace(ref.namespace()).resource(vmi).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409) {
                    LOG.log(System.Logger.Level.WARNING, "status of VMI " + ref + ": " + e.getMessage());
                    return;
                }
            }
            vmi = client.genericKubernetesResources(VMI).inNamespace(ref.namespace()).withName(ref.name()).get();
            if (vmi != null && ref.uid() != null && !ref.uid().equals(vmi.getMetadata().getUid())) {
                return;
            }
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Stops the informer; QEMUs and their supervisors' QMP sessions are left to the next agent. */
    @Override
    public void close() {
        sessions.values().forEach(Session::close);
        List.copyOf(dhcp.keySet()).forEach(this::stopDhcp);
        informer.close();
    }
}
