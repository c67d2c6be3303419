package io.jvirt.controller.vm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.Optional;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.v1.VirtualMachineInstanceCondition;
import io.jvirt.api.v1.VirtualMachineInstancePhaseTransitionTimestamp;
import io.jvirt.api.v1.VirtualMachineInstanceSpec;
import io.jvirt.api.v1.VirtualMachineInstanceTemplateSpec;
import io.jvirt.controller.instancetype.Sizing;
import io.jvirt.controller.event.EventRecorder;
import io.jvirt.controller.event.UnreadableObjects;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import io.jvirt.controller.resource.Condition;
import io.jvirt.controller.resource.StartFailure;
import io.jvirt.controller.resource.StateChangeRequest;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.vmi.VirtualMachineInstanceController;
import io.jvirt.controller.resource.VirtualMachineResource;
import io.jvirt.controller.resource.VirtualMachineStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The VirtualMachine controller: per VM key it decides ({@link Decision}) whether the VMI (same name,
 * owned by the VM) must be created or deleted, does that, consumes handled state-change requests,
 * tracks crash loops, and writes {@code status} (printableStatus, created, ready, conditions Ready,
 * Paused, Failure, RestartRequired, DataVolumesReady, startFailure) through the status subresource with the read
 * resourceVersion. It creates the DataVolumes of {@code spec.dataVolumeTemplates} (owned by the VM) and starts the
 * VMI only once every DataVolume it names Succeeded and every claim it names exists ({@link VolumeReadiness}). Idempotent; never runs twice at once for a key (see {@link Reconciler}).
 */
public final class VirtualMachineController implements Reconciler {
    /** Annotation on a VMI: hash of the VM template it was created from (drives RestartRequired). */
    public static final String TEMPLATE_HASH = "jvirt.io/template-hash";

    private final KubernetesClient client;
    private final SharedIndexInformer<VirtualMachineResource> vms;
    private final SharedIndexInformer<VirtualMachineInstanceResource> vmis;
    private final EventRecorder events;
    private final Clock clock;
    private final CrashLoopBackoff backoff;
    private final SharedIndexInformer<GenericKubernetesResource> dataVolumes;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final Sizing sizing;

    /**
     * @param dataVolumes the DataVolumes (created from {@code dataVolumeTemplates}, waited for before the VMI starts)
     * @param claims the claims a template names
     * @param sizing resolves and captures the VM's instancetype and preference ({@link Sizing})
     */
    public VirtualMachineController(KubernetesClient client, SharedIndexInformer<VirtualMachineResource> vms,
                                    SharedIndexInformer<VirtualMachineInstanceResource> vmis, EventRecorder events,
                                    Clock clock, CrashLoopBackoff backoff, SharedIndexInformer<GenericKubernetesResource> dataVolumes,
                                    SharedIndexInformer<PersistentVolumeClaim> claims, Sizing sizing) {
        this.dataVolumes = dataVolumes;
        this.claims = claims;
        this.sizing = sizing;
        this.client = client;
        this.vms = vms;
        this.vmis = vmis;
        this.events = events;
        this.clock = clock;
        this.backoff = backoff;
    }

    @Override
    public Outcome reconcile(Key key) {
        VirtualMachineResource vm = vms.getIndexer().getByKey(key.cacheKey());
        if (vm == null) return Outcome.DONE;
        VirtualMachineInstanceResource vmi = vmis.getIndexer().getByKey(key.cacheKey());
        VirtualMachineStatus old = vm.getStatus() == null
                ? new VirtualMachineStatus(null, null, null, null, null, null, null, null, null, null) : vm.getStatus();
        Instant now = clock.instant();
        if (vm.unreadable().isPresent()) {
            // the informer's handler reported why; without a spec there is nothing to decide, so only say so
            if (vm.leftOut("status")) return Outcome.DONE;
            return unsupported(vm, old, UnreadableObjects.EVENT_REASON, "cannot read the VirtualMachine: " + vm.unreadable().get(), now);
        }
        boolean foreign = vmi != null && !ownedBy(vmi, vm);
        if (foreign) vmi = null;
        RunStrategy strategy;
        try {
            strategy = RunStrategy.of(vm.getSpec());
        } catch (IllegalArgumentException e) {
            return unsupported(vm, old, "UnsupportedRunStrategy", e.getMessage(), now);
        }
        if (vm.getSpec().template() == null) return unsupported(vm, old, "NoTemplate", "spec.template is required", now);
        Sizing.Resolved sized = sizing.resolve(vm, old.unknown(), now.toString());
        VmiState state = VmiState.of(vmi);
        boolean deleting = vm.getMetadata().getDeletionTimestamp() != null;

        StartFailure failure = old.startFailure();
        boolean restartsOnFailure = strategy == RunStrategy.ALWAYS || strategy == RunStrategy.RERUN_ON_FAILURE;
        if (state == VmiState.FAILED && restartsOnFailure) failure = backoff.recordFailure(failure, vmi.getMetadata().getUid(), now);
        Instant runningSince = runningSince(vmi);
        if (state == VmiState.ACTIVE && backoff.ranStably(runningSince, now)) failure = null;
        if (!restartsOnFailure) failure = null;
        boolean backoffActive = CrashLoopBackoff.active(failure, now);
        if (state == VmiState.FAILED && failure != null && !failure.equals(old.startFailure())) {
            // Record the failure and its cause before the failed VMI goes away: once it is gone nothing shows it happened.
            updateStatus(vm, withStartFailure(old, failure, crashLoopCondition(vmi, failure, now.toString())));
            return Outcome.DONE;
        }

        List<StateChangeRequest> requests = old.stateChangeRequests() == null ? List.of() : old.stateChangeRequests();
        Decision decision = deleting || foreign
                ? new Decision(state == VmiState.NONE || state == VmiState.TERMINATING || foreign ? Decision.Action.NOTHING : Decision.Action.DELETE_VMI, false)
                : Decision.decide(strategy, state, vmi == null ? null : vmi.getMetadata().getUid(), requests, backoffActive);

        Condition failureCondition = foreign
                ? Condition.of("Failure", true, "VMIExists", "a VirtualMachineInstance named " + key.name() + " exists and is not owned by this VM", now.toString())
                : null;
        boolean created = state != VmiState.NONE;
        if (sized.failure() != null) {
            // KubeVirt: the VM does not start while its instancetype or preference cannot be found
            failureCondition = sized.failure();
            if (decision.action() == Decision.Action.CREATE_VMI) decision = new Decision(Decision.Action.NOTHING, false);
        }
        Optional<VolumeReadiness.Wait> volumesWait = Optional.empty();
        if (!deleting && !foreign) {
            ensureDataVolumes(vm);
            if (decision.action() == Decision.Action.CREATE_VMI) {
                volumesWait = VolumeReadiness.of(volumesOf(vm));
                if (volumesWait.isPresent()) decision = new Decision(Decision.Action.NOTHING, false);
            }
        }
        switch (decision.action()) {
            case CREATE_VMI -> {
                try {
                    createVmi(vm, startsPaused(decision, requests), sized);
                    created = true;
                    events.record(vm, EventRecorder.NORMAL, "SuccessfulCreate", "Started the virtual machine by creating the new virtual machine instance " + key.name());
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 409) throw e; // the cache lags behind an earlier create: look again
                    failureCondition = Condition.of("Failure", true, "FailedCreate", e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage(), now.toString());
                    events.record(vm, EventRecorder.WARNING, "FailedCreate", "Error creating virtual machine instance: " + failureCondition.message());
                    decision = new Decision(Decision.Action.NOTHING, false);
                } catch (IllegalStateException conflict) { // the template conflicts with the captured instancetype
                    failureCondition = Condition.of("Failure", true, "FailedCreate", conflict.getMessage(), now.toString());
                    decision = new Decision(Decision.Action.NOTHING, false);
                }
            }
            case DELETE_VMI -> {
                client.resources(VirtualMachineInstanceResource.class).inNamespace(key.namespace()).withName(key.name())
                        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
                events.record(vm, EventRecorder.NORMAL, "SuccessfulDelete", "Stopped the virtual machine by deleting the virtual machine instance " + vmi.getMetadata().getUid());
            }
            case NOTHING, WAIT_BACKOFF -> { }
        }
        if (decision.consumesRequest()) requests = requests.subList(1, requests.size());

        VmView view = new VmView(deleting, state, vmi == null || vmi.getStatus() == null ? null : vmi.getStatus().phase(),
                vmiCondition(vmi, "Paused"), unschedulable(vmi), vmiCondition(vmi, "Provisioning"), decision.action(), backoffActive,
                pullFailure(vmi));
        String nowText = now.toString();
        List<Condition> conditions = new ArrayList<>();
        conditions.add(readyCondition(vmi, nowText).since(find(old.conditions(), "Ready")));
        if (vmiCondition(vmi, "Paused")) conditions.add(Condition.of("Paused", true, "PausedByUser", "VMI was paused by user", nowText).since(find(old.conditions(), "Paused")));
        VirtualMachineInstanceCondition scheduled = vmiConditionOf(vmi, "PodScheduled");
        if (unschedulable(vmi)) conditions.add(new Condition("PodScheduled", "False", scheduled.reason(), scheduled.message(), null, nowText)
                .since(find(old.conditions(), "PodScheduled")));
        VirtualMachineInstanceCondition synchronizedFalse = vmiConditionOf(vmi, "Synchronized");
        if (synchronizedFalse != null && "False".equals(synchronizedFalse.status())) {
            conditions.add(new Condition("Synchronized", "False", synchronizedFalse.reason(), synchronizedFalse.message(), null, nowText)
                    .since(find(old.conditions(), "Synchronized")));
        }
        Condition crashLoop = find(old.conditions(), "Failure");
        if (failureCondition == null && backoffActive && crashLoop != null && PrintableStatus.CRASH_LOOP_BACK_OFF.equals(crashLoop.reason())) {
            failureCondition = crashLoop; // the cause, recorded when the VMI failed, stays while the VM backs off
        }
        if (failureCondition != null) conditions.add(failureCondition.since(find(old.conditions(), "Failure")));
        if (state == VmiState.ACTIVE && !Objects.equals(annotation(vmi, TEMPLATE_HASH), templateHash(vm.getSpec().template()))) {
            conditions.add(Condition.of("RestartRequired", true, "TemplateChanged",
                    "the VM template changed while the VMI runs; restart the VM to apply it", nowText).since(find(old.conditions(), "RestartRequired")));
        }
        if (volumesWait.isPresent()) {
            conditions.add(Condition.of("DataVolumesReady", false, volumesWait.get().printableStatus(), volumesWait.get().message(), nowText)
                    .since(find(old.conditions(), "DataVolumesReady")));
        }
        VirtualMachineStatus next = new VirtualMachineStatus(
                created ? Boolean.TRUE : null,
                vmiCondition(vmi, "Ready") ? Boolean.TRUE : null,
                volumesWait.map(VolumeReadiness.Wait::printableStatus).orElseGet(() -> PrintableStatus.of(view)),
                conditions,
                requests.isEmpty() ? null : List.copyOf(requests),
                failure,
                strategy.wire(),
                null,
                vm.getMetadata().getGeneration(),
                withRefs(old.unknown(), sized.status()));
        if (!next.equals(old)) updateStatus(vm, next);

        Outcome outcome = Outcome.DONE;
        if (backoffActive) outcome = Outcome.after(CrashLoopBackoff.remaining(failure, now).plusMillis(50));
        if (failure != null && runningSince != null) outcome = outcome.sooner(Outcome.after(Duration.between(now, runningSince.plus(backoff.stableRun())).plusMillis(50)));
        return outcome;
    }

    /**
     * Creates each of {@code spec.dataVolumeTemplates} that does not exist yet as a DataVolume owned by the VM (so
     * deleting the VM deletes it, and with it the claim and the volume).
     */
    private void ensureDataVolumes(VirtualMachineResource vm) {
        List<Map<String, Object>> templates = vm.getSpec().dataVolumeTemplates();
        if (templates == null) return;
        String ns = vm.getMetadata().getNamespace();
        for (Map<String, Object> t : templates) {
            @SuppressWarnings("unchecked")
            Map<String, Object> meta = t.get("metadata") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            Object name = meta.get("name");
            if (!(name instanceof String n) || dataVolumes.getIndexer().getByKey(ns + "/" + n) != null) continue;
            if (!stillLive(vm)) return;
            GenericKubernetesResource dv = new GenericKubernetesResource();
            dv.setApiVersion("cdi.kubevirt.io/v1beta1");
            dv.setKind("DataVolume");
            ObjectMetaBuilder m = new ObjectMetaBuilder().withName(n).withNamespace(ns)
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(vm.getApiVersion()).withKind(vm.getKind())
                            .withName(vm.getMetadata().getName()).withUid(vm.getMetadata().getUid())
                            .withController(true).withBlockOwnerDeletion(true).build());
            if (meta.get("labels") instanceof Map<?, ?> labels) labels.forEach((k, v) -> m.addToLabels(String.valueOf(k), String.valueOf(v)));
            if (meta.get("annotations") instanceof Map<?, ?> a) a.forEach((k, v) -> m.addToAnnotations(String.valueOf(k), String.valueOf(v)));
            dv.setMetadata(m.build());
            dv.setAdditionalProperty("spec", t.get("spec"));
            try {
                client.genericKubernetesResources(io.jvirt.controller.datavolume.DataVolumeController.DATA_VOLUME).inNamespace(ns).resource(dv).create();
                events.record(vm, EventRecorder.NORMAL, "SuccessfulDataVolumeCreate", "Created DataVolume " + n);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) throw e;
            }
        }
    }

    /**
     * Whether the VM still exists undeleted, asked of the API server: the cache may still hold a VM whose deletion
     * already removed its DataVolumes, and a DataVolume created then would outlive it (a dependent created with an
     * owner that is gone is not collected).
     */
    private boolean stillLive(VirtualMachineResource vm) {
        VirtualMachineResource live = client.resources(VirtualMachineResource.class).inNamespace(vm.getMetadata().getNamespace())
                .withName(vm.getMetadata().getName()).get();
        return live != null && live.getMetadata().getDeletionTimestamp() == null && vm.getMetadata().getUid().equals(live.getMetadata().getUid());
    }

    /** The template's dataVolume and persistentVolumeClaim volumes, with what the caches say of them. */
    private List<VolumeReadiness.Volume> volumesOf(VirtualMachineResource vm) {
        List<VolumeReadiness.Volume> out = new ArrayList<>();
        var spec = vm.getSpec().template().spec();
        if (spec == null || spec.volumes() == null) return out;
        String ns = vm.getMetadata().getNamespace();
        for (io.jvirt.api.v1.Volume v : spec.volumes()) {
            if (v.dataVolume() != null && v.dataVolume().name() != null) {
                GenericKubernetesResource dv = dataVolumes.getIndexer().getByKey(ns + "/" + v.dataVolume().name());
                Map<?, ?> status = dv == null || !(dv.getAdditionalProperties().get("status") instanceof Map<?, ?> st) ? Map.of() : st;
                out.add(new VolumeReadiness.Volume(v.dataVolume().name(), true, status.get("phase") instanceof String p ? p : null,
                        runningMessage(status)));
            } else if (v.persistentVolumeClaim() != null && v.persistentVolumeClaim().claimName() != null) {
                PersistentVolumeClaim pvc = claims.getIndexer().getByKey(ns + "/" + v.persistentVolumeClaim().claimName());
                out.add(new VolumeReadiness.Volume(v.persistentVolumeClaim().claimName(), false,
                        pvc == null ? null : pvc.getStatus() == null || pvc.getStatus().getPhase() == null ? "Pending" : pvc.getStatus().getPhase(), null));
            }
        }
        return out;
    }

    private static String runningMessage(Map<?, ?> status) {
        if (!(status.get("conditions") instanceof List<?> conditions)) return null;
        for (Object c : conditions) {
            if (c instanceof Map<?, ?> m && "Running".equals(m.get("type")) && m.get("message") instanceof String s) return s;
        }
        return null;
    }

    /** A VM this controller cannot act on: it only says why, in a Failure condition. */
    private Outcome unsupported(VirtualMachineResource vm, VirtualMachineStatus old, String reason, String message, Instant now) {
        List<Condition> conditions = new ArrayList<>();
        conditions.add(Condition.of("Failure", true, reason, message, now.toString()).since(find(old.conditions(), "Failure")));
        VirtualMachineStatus next = new VirtualMachineStatus(old.created(), old.ready(), PrintableStatus.UNKNOWN, conditions,
                old.stateChangeRequests(), old.startFailure(), old.runStrategy(), old.observedGeneration(), old.desiredGeneration(), old.unknown());
        if (!next.equals(old)) updateStatus(vm, next);
        return Outcome.DONE;
    }

    private static VirtualMachineStatus withStartFailure(VirtualMachineStatus s, StartFailure failure, Condition cause) {
        List<Condition> conditions = new ArrayList<>();
        if (s.conditions() != null) s.conditions().stream().filter(c -> !"Failure".equals(c.type())).forEach(conditions::add);
        conditions.add(cause);
        return new VirtualMachineStatus(s.created(), s.ready(), PrintableStatus.CRASH_LOOP_BACK_OFF, conditions, s.stateChangeRequests(),
                failure, s.runStrategy(), s.observedGeneration(), s.desiredGeneration(), s.unknown());
    }

    /**
     * The VM's {@code Failure} condition while it backs off after a failed VMI: reason {@code CrashLoopBackOff}, the
     * message says why the VMI failed (its reason and what the node said) and when the next start is due.
     */
    static Condition crashLoopCondition(VirtualMachineInstanceResource vmi, StartFailure failure, String now) {
        String reason = vmi.getStatus() == null || vmi.getStatus().reason() == null ? "unknown reason" : vmi.getStatus().reason();
        VirtualMachineInstanceCondition sync = vmiConditionOf(vmi, "Synchronized");
        String said = sync != null && sync.message() != null && !reason.contains(sync.message()) ? ": " + sync.message() : "";
        return Condition.of("Failure", true, PrintableStatus.CRASH_LOOP_BACK_OFF, "VMI " + vmi.getMetadata().getName() + " failed ("
                + reason + said + "); failure " + failure.consecutiveFailCount() + ", next start after " + failure.retryAfterTimestamp(), now);
    }

    /** The VMI's {@code Synchronized=False} reason when it is an image pull's, shown as the VM's printableStatus. */
    private static String pullFailure(VirtualMachineInstanceResource vmi) {
        VirtualMachineInstanceCondition c = vmiConditionOf(vmi, "Synchronized");
        if (c == null || !"False".equals(c.status())) return null;
        return PrintableStatus.ERR_IMAGE_PULL.equals(c.reason()) || PrintableStatus.IMAGE_PULL_BACK_OFF.equals(c.reason()) ? c.reason() : null;
    }

    private void updateStatus(VirtualMachineResource vm, VirtualMachineStatus status) {
        VirtualMachineResource copy = new VirtualMachineResource();
        copy.setMetadata(vm.getMetadata());
        copy.setSpec(vm.getSpec());
        copy.setStatus(status);
        client.resources(VirtualMachineResource.class).inNamespace(vm.getMetadata().getNamespace()).resource(copy).updateStatus();
    }

    /** Whether the Start request this decision consumes asked for a paused start ({@code virtctl start --paused}). */
    private static boolean startsPaused(Decision decision, List<StateChangeRequest> requests) {
        if (!decision.consumesRequest() || requests.isEmpty() || !requests.getFirst().isStart()) return false;
        Map<String, String> data = requests.getFirst().data();
        return data != null && "true".equals(data.get("startPaused"));
    }

    /** The status fields this controller does not model, with the instancetype and preference refs {@link Sizing} resolved. */
    private static Map<String, Object> withRefs(Map<String, Object> unknown, Map<String, Object> refs) {
        if (refs.isEmpty()) return unknown;
        Map<String, Object> out = unknown == null ? new LinkedHashMap<>() : new LinkedHashMap<>(unknown);
        out.putAll(refs);
        return out;
    }

    private void createVmi(VirtualMachineResource vm, boolean paused, Sizing.Resolved sized) {
        VirtualMachineInstanceTemplateSpec template = vm.getSpec().template();
        Map<String, String> labels = template.metadata() == null || template.metadata().labels() == null
                ? Map.of() : template.metadata().labels();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (template.metadata() != null && template.metadata().annotations() != null) annotations.putAll(template.metadata().annotations());
        annotations.put(TEMPLATE_HASH, templateHash(template));
        VirtualMachineInstanceSpec spec = (sized.any() ? sizing.expand(vm, template, sized, annotations) : template.spec())
                .withStableFirmwareUuid(vm.getMetadata().getName());
        VirtualMachineInstanceResource vmi = new VirtualMachineInstanceResource();
        vmi.setMetadata(new ObjectMetaBuilder()
                .withName(vm.getMetadata().getName())
                .withNamespace(vm.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .withFinalizers(VirtualMachineInstanceController.FINALIZER)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(vm.getApiVersion()).withKind(vm.getKind())
                        .withName(vm.getMetadata().getName()).withUid(vm.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .build());
        vmi.setSpec(paused ? spec.withStartStrategy("Paused") : spec);
        client.resources(VirtualMachineInstanceResource.class).inNamespace(vm.getMetadata().getNamespace()).resource(vmi).create();
    }

    /** A stable hash of a template's JSON form. */
    String templateHash(VirtualMachineInstanceTemplateSpec template) {
        String json = client.getKubernetesSerialization().asJson(template);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean ownedBy(VirtualMachineInstanceResource vmi, VirtualMachineResource vm) {
        return vmi.getMetadata().getOwnerReferences() != null && vmi.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && vm.getMetadata().getUid().equals(r.getUid()));
    }

    private static String annotation(VirtualMachineInstanceResource vmi, String name) {
        Map<String, String> a = vmi.getMetadata().getAnnotations();
        return a == null ? null : a.get(name);
    }

    private static Condition readyCondition(VirtualMachineInstanceResource vmi, String now) {
        if (vmi == null) return Condition.of("Ready", false, "VMINotExists", "VMI does not exist", now);
        VirtualMachineInstanceCondition c = vmiConditionOf(vmi, "Ready");
        if (c == null) return Condition.of("Ready", false, "VMINotReady", "VMI is not ready", now);
        return new Condition("Ready", c.status(), c.reason(), c.message(), null, now);
    }

    private static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) return null;
        return conditions.stream().filter(c -> type.equals(c.type())).findFirst().orElse(null);
    }

    private static VirtualMachineInstanceCondition vmiConditionOf(VirtualMachineInstanceResource vmi, String type) {
        if (vmi == null || vmi.getStatus() == null || vmi.getStatus().conditions() == null) return null;
        return vmi.getStatus().conditions().stream().filter(c -> type.equals(c.type())).findFirst().orElse(null);
    }

    private static boolean vmiCondition(VirtualMachineInstanceResource vmi, String type) {
        VirtualMachineInstanceCondition c = vmiConditionOf(vmi, type);
        return c != null && "True".equals(c.status());
    }

    private static boolean unschedulable(VirtualMachineInstanceResource vmi) {
        VirtualMachineInstanceCondition c = vmiConditionOf(vmi, "PodScheduled");
        return c != null && "False".equals(c.status()) && "Unschedulable".equals(c.reason());
    }

    private static Instant runningSince(VirtualMachineInstanceResource vmi) {
        if (vmi == null || vmi.getStatus() == null || !"Running".equals(vmi.getStatus().phase())) return null;
        List<VirtualMachineInstancePhaseTransitionTimestamp> ts = vmi.getStatus().phaseTransitionTimestamps();
        if (ts == null) return null;
        return ts.stream().filter(t -> "Running".equals(t.phase()) && t.phaseTransitionTimestamp() != null)
                .map(t -> Instant.parse(t.phaseTransitionTimestamp())).reduce((a, b) -> b).orElse(null);
    }
}
