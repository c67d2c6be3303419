package io.jvirt.controller.vmi;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.v1.Finalizers;
import io.jvirt.api.v1.KubeVirtSettings;
import io.jvirt.api.v1.VirtualMachineInstanceCondition;
import io.jvirt.api.v1.VirtualMachineInstancePhaseTransitionTimestamp;
import io.jvirt.api.v1.VirtualMachineInstanceStatus;
import io.jvirt.controller.event.EventRecorder;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The VirtualMachineInstance controller: creates the launcher pod ({@link LauncherPod}), follows it
 * through scheduling ({@link Transition}), and writes the pre-node part of the VMI status (phase
 * Pending/Scheduling/Scheduled, nodeName, activePods, PodScheduled condition with the scheduler's
 * reason) and Failed when the pod vanishes. Running and later are the node agent's; their
 * conditions are left alone. Every VMI carries {@link #FINALIZER}: a deleted VMI stays (Terminating)
 * until its pod is gone; the pod (created with {@link Finalizers#LAUNCHER_POD}) is deleted with the VMI's
 * grace period and goes once its node agent has torn it down. What the node says about a start that failed
 * (the pod's {@link io.jvirt.api.v1.FailureReason} and message) becomes the VMI's {@code Synchronized}
 * condition and a Warning event. A scheduled VMI gets the {@link #NODE_NAME_LABEL} label. An Event marks
 * each phase change.
 * Idempotent; see {@link Reconciler}.
 */
public final class VirtualMachineInstanceController implements Reconciler {
    /** Kept on every VMI until its launcher pod is gone (KubeVirt's name). */
    public static final String FINALIZER = Finalizers.VMI;
    /** The VMI condition that carries why the node could not start the VMI (KubeVirt's {@code Synchronized}). */
    static final String SYNCHRONIZED = "Synchronized";
    /** How often a deleted VMI whose pod waits on a node agent looks whether that node still exists. */
    static final java.time.Duration NODE_RECHECK = java.time.Duration.ofSeconds(30);
    /** Label set on a scheduled VMI: the node it runs on (node agents select their VMIs by it). */
    public static final String NODE_NAME_LABEL = "kubevirt.io/nodeName";
    private static final Set<String> OWNED_PHASES = Set.of("", "Pending", "Scheduling", "Scheduled");

    private final KubernetesClient client;
    private final SharedIndexInformer<VirtualMachineInstanceResource> vmis;
    private final SharedIndexInformer<Pod> pods;
    private final EventRecorder events;
    private final Supplier<KubeVirtSettings> settings;
    private final Clock clock;
    /**
     * VMIs (by key, the uid) whose failure written by the node agent was told in an event, so it is told once per VMI
     * (again after a controller restart: best effort, as events are).
     */
    private final Map<String, String> failureTold = new java.util.concurrent.ConcurrentHashMap<>();

    public VirtualMachineInstanceController(KubernetesClient client, SharedIndexInformer<VirtualMachineInstanceResource> vmis,
                                            SharedIndexInformer<Pod> pods, Supplier<KubeVirtSettings> settings, EventRecorder events,
                                            Clock clock) {
        this.client = client;
        this.settings = settings;
        this.vmis = vmis;
        this.pods = pods;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Outcome reconcile(Key key) {
        VirtualMachineInstanceResource vmi = vmis.getIndexer().getByKey(key.cacheKey());
        if (vmi == null) {
            failureTold.remove(key.cacheKey());
            return deleteOrphanPods(key);
        }
        tellFailure(key, vmi);
        if (vmi.getMetadata().getDeletionTimestamp() != null) return finalizeDeletion(vmi);
        if (!hasFinalizer(vmi)) {
            try {
                vmi = setFinalizers(vmi, true); // go on with the server's answer: waiting for it on the watch costs a round trip
            } catch (KubernetesClientException e) {
                // 422: admission refuses any update of this object (its stored spec predates today's rules): go on
                // without the finalizer, so the VMI still gets a phase and a reason
                if (e.getCode() != 422) throw e;
            }
        }
        if (vmi.leftOut("status")) {
            return Outcome.DONE; // its status could not be read: nothing is safe to write (the informer's handler reported why)
        }
        VirtualMachineInstanceStatus old = vmi.getStatus() == null ? emptyStatus() : vmi.getStatus();
        String phase = old.phase() == null ? "" : old.phase();
        Pod pod = findPod(vmi, !phase.isEmpty() && !"Pending".equals(phase));
        PodView view = pod == null ? null : PodView.of(pod);
        Transition t = Transition.decide(phase, false, view);
        if (t.createPod()) t = createPod(vmi, t);
        if (t.deletePod() && pod != null) deletePod(vmi, pod);
        VirtualMachineInstanceStatus next = withSynchronized(nextStatus(old, phase, t, view, pod), view);
        VirtualMachineInstanceCondition sync = condition(next, SYNCHRONIZED);
        if (sync != null && !sameProblem(sync, condition(old, SYNCHRONIZED))) {
            events.record(vmi, EventRecorder.WARNING, sync.reason(), sync.message());
        }
        if (!next.equals(old)) {
            updateStatus(vmi, next);
            if ("Failed".equals(next.phase())) failureTold.put(key.cacheKey(), vmi.getMetadata().getUid()); // told below
            if (!Objects.equals(next.phase(), old.phase())) {
                boolean failed = "Failed".equals(next.phase());
                events.record(vmi, failed ? EventRecorder.WARNING : EventRecorder.NORMAL, next.phase(),
                        "VirtualMachineInstance phase " + (phase.isEmpty() ? "(unset)" : phase) + " -> " + next.phase()
                                + (next.reason() == null ? "" : ": " + next.reason())
                                + (failed ? endMessage(pod).map(m -> " (" + m + ")").orElse("") : "")
                                + (next.nodeName() != null && "Scheduled".equals(next.phase()) ? " on node " + next.nodeName() : ""));
            }
        }
        if (next.nodeName() != null && "Scheduled".equals(next.phase()) && !next.nodeName().equals(label(vmi, NODE_NAME_LABEL))) {
            String patch = "{\"metadata\":{\"labels\":{\"" + NODE_NAME_LABEL + "\":\"" + next.nodeName() + "\"}}}";
            client.resources(VirtualMachineInstanceResource.class).inNamespace(key.namespace()).withName(key.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        }
        return Outcome.DONE;
    }

    /**
     * A deleted VMI: its pod goes first (the node agent stops the guest within the grace period and then lets the pod
     * go), then the finalizer, so the VMI shows, with its deletionTimestamp, until the guest is down and QEMU has exited.
     */
    private Outcome finalizeDeletion(VirtualMachineInstanceResource vmi) {
        Pod pod = findPod(vmi, true);
        if (pod != null) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                deletePod(vmi, pod);
                return Outcome.DONE; // the pod's deletion brings us back
            }
            return releaseUnattended(pod);
        }
        if (hasFinalizer(vmi)) setFinalizers(vmi, false);
        return Outcome.DONE;
    }

    /**
     * A VMI the node agent failed (QEMU's error line, a guest panic, the launcher's last words in {@code status.reason})
     * gets one Warning event saying so, where {@code kubectl describe} shows it; also when it is already being deleted
     * (a replica set or VM replacing it).
     */
    private void tellFailure(Key key, VirtualMachineInstanceResource vmi) {
        VirtualMachineInstanceStatus s = vmi.getStatus();
        if (s == null || !"Failed".equals(s.phase()) || s.reason() == null) return;
        if (vmi.getMetadata().getUid().equals(failureTold.put(key.cacheKey(), vmi.getMetadata().getUid()))) return;
        events.record(vmi, EventRecorder.WARNING, "Failed", "VirtualMachineInstance failed: " + s.reason());
    }

    /** Deletes the launcher pod, with the VMI's {@code terminationGracePeriodSeconds} when it has one. */
    private void deletePod(VirtualMachineInstanceResource vmi, Pod pod) {
        Long grace = vmi.getSpec() == null ? null : vmi.getSpec().terminationGracePeriodSeconds();
        var resource = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
        (grace == null ? resource : resource.withGracePeriod(grace)).delete();
        events.record(vmi, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted virtual machine pod " + pod.getMetadata().getName());
    }

    /**
     * A launcher pod being deleted keeps {@link Finalizers#LAUNCHER_POD} until its node agent has torn it down. When no
     * agent will (the pod was never bound to a node, or its Node object is gone, as kube's pod garbage collector
     * judges orphaned pods), this controller removes the finalizer; otherwise it looks again after
     * {@link #NODE_RECHECK}. A node that exists but whose agent is down holds the pod until the agent is back or the
     * Node is deleted.
     */
    private Outcome releaseUnattended(Pod pod) {
        if (pod.getMetadata().getFinalizers() == null || !pod.getMetadata().getFinalizers().contains(Finalizers.LAUNCHER_POD)) {
            return Outcome.DONE;
        }
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node != null && !node.isEmpty() && client.nodes().withName(node).get() != null) {
            return Outcome.after(NODE_RECHECK);
        }
        List<String> rest = pod.getMetadata().getFinalizers().stream().filter(f -> !Finalizers.LAUNCHER_POD.equals(f)).toList();
        Map<String, Object> patch = Map.of("metadata", Map.of("finalizers", rest, "resourceVersion", pod.getMetadata().getResourceVersion()));
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(patch));
        return Outcome.DONE;
    }

    private static boolean hasFinalizer(VirtualMachineInstanceResource vmi) {
        List<String> f = vmi.getMetadata().getFinalizers();
        return f != null && (f.contains(FINALIZER) || f.contains(Finalizers.VMI_LEGACY));
    }

    /**
     * Adds or removes {@link #FINALIZER} (and the {@link Finalizers#VMI_LEGACY} name of older VMIs), guarded by the read
     * resourceVersion (a stale read gets 409 and a retry).
     */
    private VirtualMachineInstanceResource setFinalizers(VirtualMachineInstanceResource vmi, boolean present) {
        List<String> finalizers = new ArrayList<>(vmi.getMetadata().getFinalizers() == null ? List.of() : vmi.getMetadata().getFinalizers());
        finalizers.remove(FINALIZER);
        finalizers.remove(Finalizers.VMI_LEGACY);
        if (present) finalizers.add(FINALIZER);
        Map<String, Object> patch = Map.of("metadata", Map.of("finalizers", finalizers, "resourceVersion", vmi.getMetadata().getResourceVersion()));
        return client.resources(VirtualMachineInstanceResource.class).inNamespace(vmi.getMetadata().getNamespace()).withName(vmi.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(patch));
    }

    /** What the launcher said last before its pod ended (the terminated container's message), if anything. */
    private static java.util.Optional<String> endMessage(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) return java.util.Optional.empty();
        return pod.getStatus().getContainerStatuses().stream()
                .filter(c -> c.getState() != null && c.getState().getTerminated() != null && c.getState().getTerminated().getMessage() != null)
                .map(c -> c.getState().getTerminated().getMessage()).findFirst();
    }

    private static String label(VirtualMachineInstanceResource vmi, String name) {
        return vmi.getMetadata().getLabels() == null ? null : vmi.getMetadata().getLabels().get(name);
    }

    private Transition createPod(VirtualMachineInstanceResource vmi, Transition t) {
        Pod pod;
        try {
            pod = LauncherPod.build(vmi, settings.get(), client.getKubernetesSerialization());
        } catch (IllegalArgumentException e) {
            // a spec this controller cannot read or turn into a pod (memory beyond what a pod can request, …) never
            // will: the VMI fails with the reason instead of being retried for ever
            events.record(vmi, EventRecorder.WARNING, "FailedCreate", e.getMessage());
            return new Transition("Failed", "FailedCreate", false, false);
        }
        try {
            client.pods().inNamespace(vmi.getMetadata().getNamespace()).resource(pod).create();
            events.record(vmi, EventRecorder.NORMAL, "SuccessfulCreate", "Created virtual machine pod " + pod.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                events.record(vmi, EventRecorder.WARNING, "FailedCreate", "Error creating pod: " + e.getMessage());
                throw e;
            }
        }
        return t;
    }

    private VirtualMachineInstanceStatus nextStatus(VirtualMachineInstanceStatus old, String phase, Transition t,
                                                    PodView pod, Pod podObject) {
        boolean owned = OWNED_PHASES.contains(t.phase()) || ("Failed".equals(t.phase()) && !"Failed".equals(phase));
        if (!owned) return old;
        String now = clock.instant().toString();
        // Ready is the node agent's once it wrote one; this controller only says "not ready" before that and on failure.
        VirtualMachineInstanceCondition oldReady = condition(old, "Ready");
        boolean failing = "Failed".equals(t.phase());
        boolean keepReady = oldReady != null && !failing;
        List<VirtualMachineInstanceCondition> conditions = new ArrayList<>();
        if (old.conditions() != null) {
            old.conditions().stream().filter(c -> !"PodScheduled".equals(c.type()) && (keepReady || !"Ready".equals(c.type()))).forEach(conditions::add);
        }
        if (!keepReady) {
            conditions.add(new VirtualMachineInstanceCondition("Ready", "False", "GuestNotRunning", "Guest VM is not reported as running",
                    null, oldReady != null && "False".equals(oldReady.status()) ? oldReady.lastTransitionTime() : now, null));
        }
        if (pod != null && pod.unschedulableMessage() != null && (pod.nodeName() == null || pod.nodeName().isEmpty())) {
            VirtualMachineInstanceCondition before = condition(old, "PodScheduled");
            conditions.add(new VirtualMachineInstanceCondition("PodScheduled", "False", "Unschedulable", pod.unschedulableMessage(),
                    null, before != null && "False".equals(before.status()) ? before.lastTransitionTime() : now, null));
        }
        List<VirtualMachineInstancePhaseTransitionTimestamp> stamps = new ArrayList<>();
        if (old.phaseTransitionTimestamps() != null) stamps.addAll(old.phaseTransitionTimestamps());
        if (!t.phase().equals(phase)) stamps.add(new VirtualMachineInstancePhaseTransitionTimestamp(t.phase(), now, null));
        boolean bound = pod != null && pod.nodeName() != null && !pod.nodeName().isEmpty();
        String nodeName = bound ? pod.nodeName() : old.nodeName();
        Map<String, String> activePods = bound ? Map.of(podObject.getMetadata().getUid(), pod.nodeName()) : old.activePods();
        String launcherImage = podObject == null || podObject.getSpec() == null || podObject.getSpec().getContainers().isEmpty()
                ? old.launcherContainerImageVersion() : podObject.getSpec().getContainers().getFirst().getImage();
        return new VirtualMachineInstanceStatus(t.phase(), t.reason() != null ? t.reason() : old.reason(), nodeName, conditions,
                old.interfaces(), old.machine(), old.qosClass(), launcherImage, stamps,
                old.migrationMethod(), activePods, old.guestOSInfo(), old.unknown());
    }

    private void updateStatus(VirtualMachineInstanceResource vmi, VirtualMachineInstanceStatus status) {
        VirtualMachineInstanceResource copy = new VirtualMachineInstanceResource();
        copy.setMetadata(vmi.getMetadata());
        copy.setSpec(vmi.getSpec());
        copy.setStatus(status);
        client.resources(VirtualMachineInstanceResource.class).inNamespace(vmi.getMetadata().getNamespace()).resource(copy).updateStatus();
    }

    /** The VMI's pod: from the cache, else (a pod we may have just created) straight from the API server. */
    private Pod findPod(VirtualMachineInstanceResource vmi, boolean askServer) {
        String ns = vmi.getMetadata().getNamespace();
        String name = LauncherPod.name(vmi);
        Pod pod = pods.getIndexer().getByKey(ns + "/" + name);
        if (pod == null && askServer) pod = client.pods().inNamespace(ns).withName(name).get();
        if (pod == null) return null;
        Map<String, String> labels = pod.getMetadata().getLabels();
        boolean ours = labels != null && vmi.getMetadata().getUid().equals(labels.get(LauncherPod.CREATED_BY));
        return ours ? pod : null;
    }

    private Outcome deleteOrphanPods(Key key) {
        Outcome outcome = Outcome.DONE;
        for (Pod p : pods.getIndexer().byIndex("namespace", key.namespace())) {
            Map<String, String> labels = p.getMetadata().getLabels();
            if (labels == null || !key.name().equals(labels.get(LauncherPod.DOMAIN))) continue;
            if (!LauncherPod.APP_VALUE.equals(labels.get(LauncherPod.APP_LABEL))) continue;
            if (p.getMetadata().getDeletionTimestamp() != null) {
                outcome = outcome.sooner(releaseUnattended(p));
                continue;
            }
            client.pods().inNamespace(key.namespace()).withName(p.getMetadata().getName()).delete();
        }
        return outcome;
    }

    /**
     * {@code status} with the {@link #SYNCHRONIZED} condition as the pod shows it: False with the node's reason and
     * message while the pod reports a {@link io.jvirt.api.v1.FailureReason}, none once it does not. Only before the VMI
     * runs and when it failed so: afterwards the node agent's conditions stand.
     */
    private VirtualMachineInstanceStatus withSynchronized(VirtualMachineInstanceStatus status, PodView pod) {
        String phase = status.phase() == null ? "" : status.phase();
        if (!OWNED_PHASES.contains(phase) && !"Failed".equals(phase)) return status;
        VirtualMachineInstanceCondition before = condition(status, SYNCHRONIZED);
        List<VirtualMachineInstanceCondition> conditions = new ArrayList<>();
        if (status.conditions() != null) status.conditions().stream().filter(c -> !SYNCHRONIZED.equals(c.type())).forEach(conditions::add);
        if (pod != null && pod.failureReason() != null) {
            VirtualMachineInstanceCondition now = new VirtualMachineInstanceCondition(SYNCHRONIZED, "False", pod.failureReason(),
                    pod.failureMessage(), null, clock.instant().toString(), null);
            conditions.add(sameProblem(now, before) ? before : now);
        } else if (before == null || "Failed".equals(phase)) {
            return status; // nothing to say, or a failure that stays said after its pod went
        }
        return new VirtualMachineInstanceStatus(status.phase(), status.reason(), status.nodeName(), conditions, status.interfaces(),
                status.machine(), status.qosClass(), status.launcherContainerImageVersion(), status.phaseTransitionTimestamps(),
                status.migrationMethod(), status.activePods(), status.guestOSInfo(), status.unknown());
    }

    private static boolean sameProblem(VirtualMachineInstanceCondition a, VirtualMachineInstanceCondition b) {
        return b != null && a.status().equals(b.status()) && Objects.equals(a.reason(), b.reason()) && Objects.equals(a.message(), b.message());
    }

    static String unschedulableMessage(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return null;
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
                return c.getMessage() == null ? "" : c.getMessage();
            }
        }
        return null;
    }

    private static VirtualMachineInstanceCondition condition(VirtualMachineInstanceStatus s, String type) {
        if (s.conditions() == null) return null;
        return s.conditions().stream().filter(c -> type.equals(c.type())).findFirst().orElse(null);
    }

    private static VirtualMachineInstanceStatus emptyStatus() {
        return new VirtualMachineInstanceStatus(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
