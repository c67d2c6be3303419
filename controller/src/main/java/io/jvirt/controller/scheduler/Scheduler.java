package io.jvirt.controller.scheduler;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.controller.event.EventRecorder;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded scheduler: per unbound pod whose {@code spec.schedulerName} is unset,
 * {@value #DEFAULT_SCHEDULER} or {@value #NAME}, picks the fitting node ({@link NodeFit}) with the
 * most free memory and binds the pod there ({@link BindMode}: {@code pods/binding} when discovery
 * lists it, else {@code bindings}, else a merge patch of {@code spec.nodeName}).
 * When no node fits, or a claim the pod names does not exist ({@link VolumeBinding}), it sets the pod condition
 * PodScheduled=False, reason Unschedulable, with kube-scheduler's message, through {@code pods/status}.
 *
 * <p>Pending pods of higher {@code spec.priority} (from their PriorityClass) are bound before the one being
 * reconciled, so when capacity is short the higher-priority pod gets the node whichever came first.
 *
 * <p>Pods bound by this scheduler but not yet seen bound in the informer cache are counted on their
 * node ("assumed"), so two pods scheduled back to back cannot overcommit a node. Runs on one worker.
 */
public final class Scheduler implements Reconciler {
    public static final String NAME = "jvirt-scheduler";
    public static final String DEFAULT_SCHEDULER = "default-scheduler";
    private static final Set<String> ENDED = Set.of("Succeeded", "Failed");

    private record Assumed(String node, Resources requests) {}

    private final KubernetesClient client;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Node> nodes;
    private final EventRecorder events;
    private final Clock clock;
    private final BindMode bindMode;
    private volatile VolumeBinding volumes;
    private final Map<String, Assumed> assumed = new ConcurrentHashMap<>();
    private final Set<String> badRequests = ConcurrentHashMap.newKeySet();
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    public Scheduler(KubernetesClient client, SharedIndexInformer<Pod> pods, SharedIndexInformer<io.fabric8.kubernetes.api.model.Node> nodes,
                     EventRecorder events, Clock clock) {
        this.client = client;
        this.pods = pods;
        this.nodes = nodes;
        this.events = events;
        this.clock = clock;
        this.bindMode = bindMode(client);
    }

    /** How a pod is bound to its node, by what the server offers (kube-apiserver offers both binding forms). */
    public enum BindMode {
        /** {@code POST pods/{name}/binding} (what kube-scheduler uses). */
        POD_BINDING,
        /** {@code POST namespaces/{ns}/bindings} (the older collection form). */
        BINDINGS,
        /** A merge patch of {@code spec.nodeName} guarded by the read resourceVersion (servers with neither). */
        PATCH_NODE_NAME
    }

    static BindMode bindMode(KubernetesClient client) {
        var list = client.getApiResources("v1");
        if (list == null) return BindMode.PATCH_NODE_NAME;
        if (list.getResources().stream().anyMatch(r -> r.getName().equals("pods/binding"))) return BindMode.POD_BINDING;
        if (list.getResources().stream().anyMatch(r -> r.getName().equals("bindings"))) return BindMode.BINDINGS;
        return BindMode.PATCH_NODE_NAME;
    }

    public BindMode bindMode() {
        return bindMode;
    }

    /** Whether this scheduler is responsible for {@code pod} (unbound, live, our scheduler name). */
    public static boolean wants(Pod pod) {
        if (pod.getSpec() == null || pod.getMetadata().getDeletionTimestamp() != null) return false;
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) return false;
        if (pod.getStatus() != null && ENDED.contains(pod.getStatus().getPhase())) return false;
        String s = pod.getSpec().getSchedulerName();
        return s == null || s.isEmpty() || s.equals(DEFAULT_SCHEDULER) || s.equals(NAME);
    }

    /**
     * Makes pods wait for their claims before they are bound ({@link VolumeBinding}); without it claims are not looked at.
     */
    public void bindVolumes(SharedIndexInformer<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> claims,
                            SharedIndexInformer<io.fabric8.kubernetes.api.model.storage.StorageClass> classes) {
        this.volumes = new VolumeBinding(client, claims, classes);
    }

    @Override
    public Outcome reconcile(Key key) {
        Pod pod = pods.getIndexer().getByKey(key.cacheKey());
        if (pod == null || !wants(pod)) {
            if (pod == null || pod.getSpec() == null || pod.getSpec().getNodeName() != null || pod.getMetadata().getDeletionTimestamp() != null) {
                assumed.remove(key.cacheKey());
            }
            return Outcome.DONE;
        }
        if (assumed.containsKey(key.cacheKey())) return Outcome.DONE; // bound; the cache has not caught up yet
        // pending pods of higher priority are bound first, whichever pod the queue handed over (kube-scheduler's queue order)
        for (Pod first : higherPriorityPending(pod)) schedule(Key.of(first), first); // their own keys retry what waits
        return schedule(key, pod);
    }

    /** {@code spec.priority}, which kube-apiserver's Priority admission sets from the pod's PriorityClass; 0 when unset. */
    static int priority(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getPriority() == null ? 0 : pod.getSpec().getPriority();
    }

    /** The pods this scheduler still has to bind whose priority is above {@code pod}'s: highest first, then oldest. */
    List<Pod> higherPriorityPending(Pod pod) {
        int floor = priority(pod);
        return pods.getIndexer().list().stream()
                .filter(p -> priority(p) > floor && wants(p) && !assumed.containsKey(Key.of(p).cacheKey()))
                .sorted(PENDING_ORDER)
                .toList();
    }

    /** kube-scheduler's active queue order: priority, highest first; then the older pod. */
    static final Comparator<Pod> PENDING_ORDER = Comparator.comparingInt(Scheduler::priority).reversed()
            .thenComparing(p -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp());

    /** Binds {@code pod} to the fitting node with the most free memory, or marks it unschedulable with the reasons. */
    private Outcome schedule(Key key, Pod pod) {
        NodeFit.Demand demand;
        try {
            demand = demand(pod);
        } catch (IllegalArgumentException e) {
            markUnschedulable(pod, "the pod's resource requests cannot be read: " + e.getMessage());
            return Outcome.DONE;
        }
        List<io.fabric8.kubernetes.api.model.Node> all = nodes.getIndexer().list();
        Map<String, Resources> used = usedPerNode();
        Map<String, Integer> reasons = new TreeMap<>();
        List<NodeFit.Node> fitting = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.Node n : all) {
            NodeFit.Node node = view(n);
            Optional<String> why = NodeFit.check(demand, node, used.getOrDefault(node.name(), Resources.ZERO));
            if (why.isPresent()) reasons.merge(why.get(), 1, Integer::sum);
            else fitting.add(node);
        }
        if (fitting.isEmpty()) {
            markUnschedulable(pod, NodeFit.summary(all.size(), reasons));
            return Outcome.DONE;
        }
        NodeFit.Node best = fitting.stream()
                .max(Comparator.comparingLong((NodeFit.Node n) -> n.allocatable().minus(used.getOrDefault(n.name(), Resources.ZERO)).memoryBytes())
                        .thenComparing(NodeFit.Node::name, Comparator.reverseOrder()))
                .orElseThrow();
        Optional<VolumeBinding.Wait> claims = volumes == null ? Optional.empty() : volumes.waitFor(pod, best.name());
        if (claims.isPresent()) {
            if (claims.get().unschedulable()) markUnschedulable(pod, "0/" + all.size() + " nodes are available: " + claims.get().message() + ".");
            return Outcome.after(java.time.Duration.ofMillis(500));
        }
        bind(pod, best.name());
        assumed.put(key.cacheKey(), new Assumed(best.name(), demand.requests()));
        events.record(pod, EventRecorder.NORMAL, "Scheduled", "Successfully assigned " + key + " to " + best.name());
        return Outcome.DONE;
    }

    private void bind(Pod pod, String node) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        var binding = new BindingBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).withUid(pod.getMetadata().getUid()).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget()
                .build();
        switch (bindMode) {
            case POD_BINDING -> client.raw("/api/v1/namespaces/" + ns + "/pods/" + name + "/binding", "POST", binding);
            case BINDINGS -> client.bindings().inNamespace(ns).resource(binding).create();
            case PATCH_NODE_NAME -> {
                String patch = "{\"metadata\":{\"resourceVersion\":\"" + pod.getMetadata().getResourceVersion() + "\"},"
                        + "\"spec\":{\"nodeName\":\"" + node + "\"}}";
                client.pods().inNamespace(ns).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            }
        }
    }

    private void markUnschedulable(Pod pod, String message) {
        PodCondition existing = pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElse(null);
        if (existing != null && "False".equals(existing.getStatus()) && message.equals(existing.getMessage())) return;
        PodStatus status = new PodStatus();
        status.setPhase(pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase());
        status.setConditions(List.of(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage(message).withLastTransitionTime(clock.instant().toString()).build()));
        String body = client.getKubernetesSerialization().asJson(Map.of("status", status));
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), body);
        events.record(pod, EventRecorder.WARNING, "FailedScheduling", message);
    }

    /** Requests of live bound pods per node, plus the assumed ones not yet seen bound. */
    private Map<String, Resources> usedPerNode() {
        Map<String, Resources> used = new java.util.HashMap<>();
        for (Pod p : pods.getIndexer().list()) {
            String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
            if (node == null || node.isEmpty()) continue;
            if (p.getStatus() != null && ENDED.contains(p.getStatus().getPhase())) continue;
            used.merge(node, requestsOrNothing(p), Resources::plus);
        }
        assumed.entrySet().removeIf(e -> {
            Pod p = pods.getIndexer().getByKey(e.getKey());
            return p == null || p.getSpec() == null || p.getSpec().getNodeName() != null;
        });
        assumed.forEach((podKey, a) -> used.merge(a.node(), a.requests(), Resources::plus));
        return used;
    }

    /**
     * A bound pod's requests; one whose requests are not quantities (stored before admission checked them) counts
     * as nothing, so it cannot stop scheduling on its node. Said once per pod version in the log.
     */
    private Resources requestsOrNothing(Pod p) {
        try {
            return Resources.requestsOf(p);
        } catch (IllegalArgumentException e) {
            if (badRequests.add(p.getMetadata().getUid() + "/" + p.getMetadata().getResourceVersion())) {
                LOG.log(System.Logger.Level.WARNING, "pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()
                        + ": its requests are not counted on node " + p.getSpec().getNodeName() + ": " + e.getMessage());
            }
            return Resources.ZERO;
        }
    }

    static NodeFit.Demand demand(Pod pod) {
        List<NodeSelectorTerm> terms = List.of();
        var affinity = pod.getSpec().getAffinity();
        if (affinity != null && affinity.getNodeAffinity() != null
                && affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            terms = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        }
        return new NodeFit.Demand(Resources.requestsOf(pod), pod.getSpec().getNodeSelector(), terms);
    }

    static NodeFit.Node view(io.fabric8.kubernetes.api.model.Node n) {
        boolean ready = n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                .anyMatch((NodeCondition c) -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        boolean unschedulable = n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
        var alloc = n.getStatus() == null ? null
                : n.getStatus().getAllocatable() != null && !n.getStatus().getAllocatable().isEmpty() ? n.getStatus().getAllocatable() : n.getStatus().getCapacity();
        return new NodeFit.Node(n.getMetadata().getName(), n.getMetadata().getLabels(), ready, unschedulable, Resources.of(alloc));
    }
}
