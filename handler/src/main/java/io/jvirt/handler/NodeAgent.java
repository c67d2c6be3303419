package io.jvirt.handler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jvirt.api.meta.TolerantReading;
import java.util.Set;
import io.jvirt.handler.metrics.NodeMetrics;
import io.jvirt.handler.node.KubeVirtConfigWatch;
import io.jvirt.handler.node.MemInfo;
import io.jvirt.handler.node.NodeRegistration;
import io.jvirt.handler.node.NodeResources;
import io.jvirt.handler.pod.HostScope;
import io.jvirt.handler.pod.PodRunner;
import io.jvirt.handler.vmi.ContainerDisks;
import io.jvirt.handler.vmi.ImageMirrors;
import io.jvirt.handler.vmi.PodGuests;
import io.jvirt.handler.relay.RelayServer;
import io.jvirt.handler.service.ServiceProxy;
import io.jvirt.api.network.ServiceNetwork;
import io.jvirt.network.Ipv4;
import io.jvirt.network.PodNetwork;
import io.jvirt.network.cni.CniPlugin;
import io.jvirt.network.service.ServiceTable;
import io.jvirt.handler.vmi.VmiAgent;
import io.jvirt.qemu.accel.AccelDecision;
import io.jvirt.qemu.accel.AccelProbe;
import io.jvirt.qemu.img.QemuImg;
import io.jvirt.registry.RegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * One node agent wired together: Node registration and heartbeat, the pod runner (pod sandboxes), the VMI
 * side (disks, network, one supervisor per VM, status). {@link #start()} registers the node and starts
 * watching; {@link #close()} stops the agent but leaves QEMU processes (and their guests) running for the
 * next agent to re-adopt; {@link #stopGuests} stops them first.
 */
public final class NodeAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());
    private final NodeRegistration registration;
    private final PodRunner pods;
    private final VmiAgent vmis;
    private final RelayServer relay;
    private final NodeMetrics metrics;
    private final ServiceProxy services;
    private final KubernetesClient client;
    private final String nodeName;
    private final KubeVirtConfigWatch kubevirt;
    private final KubernetesClient tolerantClient;
    /** The node's pod network, null when this agent cannot run CNI plugins (not root): pods then have loopback only. */
    private final PodNetwork network;

    /** @throws IllegalStateException when QEMU could only run as root (see {@link #qemuUser}) */
    public NodeAgent(KubernetesClient apiClient, HandlerConfig config) throws IOException {
        String qemuUser = qemuUser(config);
        HostScope scope = HostScope.of(config.dataDir());
        KubernetesClient client = tolerant(apiClient);
        this.tolerantClient = client;
        this.kubevirt = KubeVirtConfigWatch.start(client);
        Supplier<AccelDecision> accel = () -> config.forceEmulation() ? AccelDecision.forcedTcg("useEmulation is set in the node's settings")
                : kubevirt.get().useEmulation() ? AccelDecision.forcedTcg("useEmulation is set in the KubeVirt CR")
                : AccelProbe.decide();
        boolean kvm = !config.forceEmulation() && !AccelProbe.decide().softwareEmulation();
        NodeResources resources = new NodeResources(Runtime.getRuntime().availableProcessors(), MemInfo.read(),
                config.memoryReserveBytes(), config.maxPods(), kvm, Files.exists(Path.of("/dev/net/tun")));
        this.registration = new NodeRegistration(client, config.nodeName(), resources, config.heartbeat(), Clock.systemUTC());
        Path demo = config.buildDir() == null ? null : config.buildDir().resolve("images/demo/containerdisk");
        ImageMirrors mirrors = ImageMirrors.of(demo, config.imageMirrors());
        QemuImg qemuImg = new QemuImg(qemuUser == null ? null : io.jvirt.qemu.img.Unprivileged.parse(qemuUser)); // as QEMU's user
        this.network = podNetwork(config.dataDir().resolve("cni"), scope, config.dualStackPodNetwork());
        this.vmis = new VmiAgent(client, config.nodeName(),
                new ContainerDisks(config.dataDir().resolve("images"), qemuImg, mirrors, new RegistryClient(config.registries())), qemuImg, accel, qemuUser,
                config.volumesDir(), () -> kubevirt.get().featureGates().contains("HostDisk"), network != null);
        this.pods = new PodRunner(client, config.nodeName(), config.dataDir(), scope, vmis, network);
        this.metrics = new NodeMetrics(client, VmiAgent.VMI, config.nodeName(), vmis, pods::launcherPodOf, pods::runningPods);
        this.relay = new RelayServer(vmis::supervisor, pods::log, metrics, new PodGuests(client, pods::launcherNetnsOf));
        this.services = new ServiceProxy(client, new ServiceTable(scope.id(), PodNetwork.bridgeName(scope.id()),
                Ipv4.parse(ServiceNetwork.CLUSTER_IP_RANGE)));
        this.client = client;
        this.nodeName = config.nodeName();
    }

    /**
     * The pod network of this agent instance ({@code <data dir>/cni}, bridge {@code jvbr<instance id>}), made or found
     * again, dual-stack when {@code dualStack}; null (logged) when the agent is not root: the CNI plugins need root.
     */
    static PodNetwork podNetwork(Path cniDir, HostScope scope, boolean dualStack) throws IOException {
        if (!runsAsRoot()) {
            LOG.log(System.Logger.Level.WARNING, "not root: no pod network, launcher pods get loopback only");
            return null;
        }
        return PodNetwork.open(cniDir, scope.id(), null, dualStack, new CniPlugin(List.of(CniPlugin.DEBIAN)));
    }

    /**
     * A client like {@code client} (same server, same identity) that reads Pods tolerantly ({@link TolerantReading}):
     * a pod that cannot be read in full reaches the pod runner with its spec left out and the reason attached,
     * instead of stopping the watch of every pod on this node.
     */
    static KubernetesClient tolerant(KubernetesClient client) {
        ObjectMapper mapper = new ObjectMapper().registerModule(new TolerantReading(Set.of(Pod.class)));
        return new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withKubernetesSerialization(new KubernetesSerialization(mapper, true)).build();
    }

    /**
     * The user QEMU runs as. An agent running as root hands QEMU to {@code config.qemuUser()} (KubeVirt's
     * 107:107) and makes the directories QEMU opens files in searchable (0711, never listable) for it; when
     * a directory above the data dir is closed to others (e.g. /root), QEMU could not open its disks, and
     * the agent refuses to start rather than run QEMU as root. An agent that is not root cannot switch
     * users: QEMU runs as the agent's own (unprivileged) user.
     *
     * @throws IllegalStateException when QEMU could only run as root
     */
    static String qemuUser(HandlerConfig config) throws IOException {
        if (!runsAsRoot()) {
            LOG.log(System.Logger.Level.INFO, "not root: QEMU runs as the node agent's own user");
            return null;
        }
        if (config.qemuUser() == null) {
            throw new IllegalStateException("qemuUser is empty: QEMU would run as root; set qemuUser=<uid>:<gid> (default "
                    + HandlerConfig.DEFAULT_QEMU_USER + ")");
        }
        Path data = config.dataDir().toAbsolutePath();
        traversable(data);
        traversable(data.resolve("images"));
        traversable(data.resolve("disks"));
        Path blocked = firstClosedAncestor(data);
        if (blocked != null) {
            throw new IllegalStateException(blocked + " is not searchable by others, so QEMU (user " + config.qemuUser()
                    + ") could not open its disks under " + data + ". Put the data directory below searchable directories:"
                    + " JVIRT_HOME=/var/lib/jvirt (the default for root) or the dataDir setting.");
        }
        return config.qemuUser();
    }

    /** True when this process's effective uid is 0 ({@code /proc/self/status}). */
    static boolean runsAsRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0");
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    /** QEMU's user must reach its disks below the data dir: search (x) but no listing for others. */
    private static void traversable(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    }

    /** The first ancestor of {@code dir} that others cannot search (no o+x), or null. */
    static Path firstClosedAncestor(Path dir) throws IOException {
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                return p;
            }
        }
        return null;
    }

    public void start() throws IOException {
        registration.register();
        registration.start();
        pods.start();
        metrics.start();
        relay.publish(client, nodeName);
        try {
            services.start();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "service proxy off (ClusterIPs and NodePorts not reachable from this host): " + e.getMessage());
        }
    }

    public PodRunner pods() {
        return pods;
    }

    /** The VMI side: the supervisors of the VMs on this node (e.g. QEMU's pid and QMP queries for metrics). */
    public VmiAgent vmis() {
        return vmis;
    }

    /**
     * Stops every VM on this node gracefully (ACPI power button, each within its grace period, at most
     * {@code within}) and returns once their QEMUs have exited; for a node going down ({@code ./jvirt down}).
     */
    public void stopGuests(Duration within) throws InterruptedException {
        vmis.stopAll(within);
    }

    @Override
    public void close() {
        services.close();
        relay.close();
        metrics.close();
        pods.close();
        vmis.close();
        if (network != null) {
            try {
                network.removeBridgeWhenUnused(); // ./jvirt down stopped every guest; a kill leaves it to the next agent
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "removing the pod network's bridge: " + e.getMessage());
            }
        }
        registration.close();
        kubevirt.close();
        tolerantClient.close();
    }
}
