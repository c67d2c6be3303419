package io.jvirt.controller.vmi;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
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
 * until its pod is gone. A scheduled VMI gets the {@link #NODE_NAME_LABEL} label. An Event marks
 * each phase change.
 * Idempotent; see {@link Reconciler}.
 */
public final class VirtualMachineInstanceController implements Reconciler {
    /** Kept on every VMI until its launcher pod is gone (KubeVirt's controller finalizer name). */
    public static final String FINALIZER = "kubevirt.io/virtualMachineControllerFinalize";
    /** Label set on a scheduled VMI: the node it runs on (node agents select their VMIs by it). */
    public static final String NODE_NAME_LABEL = "kubevirt.io/nodeName";
    private static final Set<String> OWNED_PHASES = Set.of("", "Pending", "Scheduling", "Scheduled");

    private final KubernetesClient client;
    private final SharedIndexInformer<VirtualMachineInstanceResource> vmis;
    private final SharedIndexInformer<Pod> pods;
    private final EventRecorder events;
    private final Supplier<KubeVirtSettings> settings;
    private final Clock clock;

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
            deleteOrphanPods(key);
            return Outcome.DONE;
        }
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
        PodView view = pod == null ? null : new PodView(pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
                pod.getStatus() == null ? null : pod.getStatus().getPhase(), unschedulableMessage(pod),
                pod.getMetadata().getDeletionTimestamp() != null);
        Transition t = Transition.decide(phase, false, view);
        if (t.createPod()) t = createPod(vmi, t);
        if (t.deletePod() && pod != null) {
            client.pods().inNamespace(key.namespace()).withName(pod.getMetadata().getName()).delete();
            events.record(vmi, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted virtual machine pod " + pod.getMetadata().getName());
        }
        VirtualMachineInstanceStatus next = nextStatus(old, phase, t, view, pod);
        if (!next.equals(old)) {
            updateStatus(vmi, next);
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

    /** A deleted VMI: its pod goes first, then the finalizer, so the VMI shows until the launcher is gone. */
    private Outcome finalizeDeletion(VirtualMachineInstanceResource vmi) {
        Pod pod = findPod(vmi, true);
        if (pod != null) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
                events.record(vmi, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted virtual machine pod " + pod.getMetadata().getName());
            }
            return Outcome.DONE; // the pod's deletion brings us back
        }
        if (hasFinalizer(vmi)) setFinalizers(vmi, false);
        return Outcome.DONE;
    }

    private static boolean hasFinalizer(VirtualMachineInstanceResource vmi) {
        return vmi.getMetadata().getFinalizers() != null && vmi.getMetadata().getFinalizers().contains(FINALIZER);
    }

    /** Adds or removes {@link #FINALIZER}, guarded by the read resourceVersion (a stale read gets 409 and a retry). */
    private VirtualMachineInstanceResource setFinalizers(VirtualMachineInstanceResource vmi, boolean present) {
        List<String> finalizers = new ArrayList<>(vmi.getMetadata().getFinalizers() == null ? List.of() : vmi.getMetadata().getFinalizers());
        finalizers.remove(FINALIZER);
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

    private void deleteOrphanPods(Key key) {
        for (Pod p : pods.getIndexer().byIndex("namespace", key.namespace())) {
            Map<String, String> labels = p.getMetadata().getLabels();
            if (labels == null || !key.name().equals(labels.get(LauncherPod.DOMAIN))) continue;
            if (!LauncherPod.APP_VALUE.equals(labels.get(LauncherPod.APP_LABEL)) || p.getMetadata().getDeletionTimestamp() != null) continue;
            client.pods().inNamespace(key.namespace()).withName(p.getMetadata().getName()).delete();
        }
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
