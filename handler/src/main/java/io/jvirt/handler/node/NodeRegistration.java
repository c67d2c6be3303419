package io.jvirt.handler.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.time.Duration;

/**
 * Registers this host as a Node and keeps it alive: {@link #register()} creates or updates the Node
 * (labels, capacity, allocatable, Ready condition, addresses, nodeInfo with OS image, kernel and runtime); {@link #start()} then renews the Ready heartbeat
 * and the {@code kube-node-lease} Lease every interval. Idempotent; thread-safe; {@link #close()}
 * stops the heartbeat (the Node stays, as a stopped kubelet leaves it).
 */
public final class NodeRegistration implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeRegistration.class.getName());
    public static final String LEASE_NAMESPACE = "kube-node-lease";
    public static final String SCHEDULABLE_LABEL = "kubevirt.io/schedulable";
    static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    private final KubernetesClient client;
    private final String nodeName;
    private final NodeResources resources;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public NodeRegistration(KubernetesClient client, String nodeName, NodeResources resources, Duration interval, Clock clock) {
        this.client = client;
        this.nodeName = nodeName;
        this.resources = resources;
        this.interval = interval;
        this.clock = clock;
    }

    /** Creates the Node if absent, then sets its labels and status. Throws when the API refuses. */
    public void register() {
        Node existing = client.nodes().withName(nodeName).get();
        if (existing == null) {
            try {
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName(nodeName).withLabels(labels(Map.of()))
                        .endMetadata().withNewSpec().endSpec().build()).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        } else {
            client.nodes().withName(nodeName).edit(n -> {
                n.getMetadata().setLabels(labels(n.getMetadata().getLabels()));
                return n;
            });
        }
        updateStatus(this::fullStatus);
        renewLease();
    }

    /** Starts the periodic heartbeat (after {@link #register()}). */
    public void start() {
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::beatQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** One heartbeat now: Ready condition's lastHeartbeatTime and the Lease's renewTime. */
    public void beat() {
        updateStatus(this::fullStatus);
        renewLease();
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "heartbeat of node " + nodeName + " failed: " + e.getMessage());
        }
    }

    private Map<String, String> labels(Map<String, String> current) {
        Map<String, String> labels = new LinkedHashMap<>(current == null ? Map.of() : current);
        labels.put("kubernetes.io/hostname", nodeName);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put(SCHEDULABLE_LABEL, "true");
        return labels;
    }

    private NodeStatus fullStatus(NodeStatus status) {
        NodeStatus s = status == null ? new NodeStatus() : status;
        s.setCapacity(resources.capacity());
        s.setAllocatable(resources.allocatable());
        s.setAddresses(List.of(new NodeAddress("127.0.0.1", "InternalIP"), new NodeAddress(nodeName, "Hostname")));
        s.setConditions(withReady(s.getConditions()));
        s.setNodeInfo(new io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder()
                .withArchitecture("amd64").withOperatingSystem("linux").withKubeletVersion("v1.33.0-jvirt")
                .withKernelVersion(HostInfo.kernelVersion()).withContainerRuntimeVersion(HostInfo.RUNTIME_VERSION)
                .withOsImage(HostInfo.osImage(java.nio.file.Path.of("/etc/os-release"))).withMachineID("").withSystemUUID("")
                .withBootID("").withKubeProxyVersion("")
                .build());
        return s;
    }

    private List<NodeCondition> withReady(List<NodeCondition> current) {
        String now = now();
        List<NodeCondition> out = new ArrayList<>();
        NodeCondition previous = null;
        for (NodeCondition c : current == null ? List.<NodeCondition>of() : current) {
            if ("Ready".equals(c.getType())) {
                previous = c;
            } else {
                out.add(c);
            }
        }
        boolean wasReady = previous != null && "True".equals(previous.getStatus());
        out.add(new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withMessage("jvirt node agent is posting ready status").withLastHeartbeatTime(now)
                .withLastTransitionTime(wasReady && previous.getLastTransitionTime() != null ? previous.getLastTransitionTime() : now)
                .build());
        return out;
    }

    private void updateStatus(UnaryOperator<NodeStatus> change) {
        for (int attempt = 0; ; attempt++) {
            Node node = client.nodes().withName(nodeName).get();
            if (node == null) {
                throw new IllegalStateException("node " + nodeName + " vanished");
            }
            node.setStatus(change.apply(node.getStatus()));
            try {
                client.nodes().resource(node).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 10) {
                    throw e;
                }
            }
        }
    }

    private void renewLease() {
        ensureLeaseNamespace();
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        var leases = client.leases().inNamespace(LEASE_NAMESPACE);
        Lease lease = leases.withName(nodeName).get();
        if (lease == null) {
            leases.resource(new LeaseBuilder().withNewMetadata().withName(nodeName).withNamespace(LEASE_NAMESPACE).endMetadata()
                    .withNewSpec().withHolderIdentity(nodeName).withLeaseDurationSeconds(40).withRenewTime(now)
                    .endSpec().build()).create();
            return;
        }
        lease.getSpec().setRenewTime(now);
        lease.getSpec().setHolderIdentity(nodeName);
        leases.resource(lease).update();
    }

    private void ensureLeaseNamespace() {
        if (client.namespaces().withName(LEASE_NAMESPACE).get() != null) {
            return;
        }
        try {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(LEASE_NAMESPACE).endMetadata().build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private String now() {
        return RFC3339.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    }

    static Instant parse(String time) {
        return Instant.parse(time);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
