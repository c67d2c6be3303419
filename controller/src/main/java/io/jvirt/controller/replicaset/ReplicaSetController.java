package io.jvirt.controller.replicaset;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.v1.VirtualMachineInstanceTemplateSpec;
import io.jvirt.controller.event.EventRecorder;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import io.jvirt.controller.resource.Condition;
import io.jvirt.controller.resource.ReplicaSetResource;
import io.jvirt.controller.resource.ReplicaSetSpec;
import io.jvirt.controller.resource.ReplicaSetStatus;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.vmi.VirtualMachineInstanceController;
import java.time.Clock;
import java.util.List;

/**
 * The VirtualMachineInstanceReplicaSet controller: keeps {@code spec.replicas} (the scale
 * subresource writes it) active VMIs that match the selector and are controlled by the set, replaces
 * finished ones, does nothing while {@code spec.paused}, and writes {@code status.replicas},
 * {@code readyReplicas}, {@code labelSelector} and the ReplicaPaused condition.
 *
 * <p>It counts members with a fresh list from the API server (not the informer cache), so a create
 * the cache has not seen yet is never repeated. Idempotent; see {@link Reconciler}.
 */
public final class ReplicaSetController implements Reconciler {
    private final KubernetesClient client;
    private final SharedIndexInformer<ReplicaSetResource> sets;
    private final EventRecorder events;
    private final Clock clock;

    public ReplicaSetController(KubernetesClient client, SharedIndexInformer<ReplicaSetResource> sets, EventRecorder events, Clock clock) {
        this.client = client;
        this.sets = sets;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Outcome reconcile(Key key) {
        ReplicaSetResource rs = sets.getIndexer().getByKey(key.cacheKey());
        if (rs == null || rs.getMetadata().getDeletionTimestamp() != null) return Outcome.DONE;
        if (rs.getSpec() == null) return Outcome.DONE; // could not be read: the informer's handler reported why
        ReplicaSetSpec spec = rs.getSpec();
        String uid = rs.getMetadata().getUid();
        List<VirtualMachineInstanceResource> members = client.resources(VirtualMachineInstanceResource.class)
                .inNamespace(key.namespace()).list().getItems().stream()
                .filter(v -> Selector.matches(spec.selector(), v.getMetadata().getLabels()))
                .filter(v -> controlledBy(v, uid))
                .toList();
        int desired = spec.replicas() == null ? 1 : spec.replicas();
        boolean paused = Boolean.TRUE.equals(spec.paused());
        ScalePlan plan = ScalePlan.plan(desired, paused, members.stream().map(ReplicaSetController::member).toList());
        for (String name : plan.delete()) {
            client.resources(VirtualMachineInstanceResource.class).inNamespace(key.namespace()).withName(name)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            events.record(rs, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted virtual machine instance: " + name);
        }
        int created = 0;
        for (int i = 0; i < plan.create(); i++) {
            try {
                VirtualMachineInstanceResource vmi = client.resources(VirtualMachineInstanceResource.class)
                        .inNamespace(key.namespace()).resource(newVmi(rs)).create();
                created++;
                events.record(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created virtual machine instance: " + vmi.getMetadata().getName());
            } catch (KubernetesClientException e) {
                events.record(rs, EventRecorder.WARNING, "FailedCreate", "Error creating VMI: " + e.getMessage());
                throw e;
            }
        }
        List<VirtualMachineInstanceResource> active = members.stream()
                .filter(v -> v.getMetadata().getDeletionTimestamp() == null && !plan.delete().contains(v.getMetadata().getName()))
                .toList();
        int ready = (int) active.stream().filter(ReplicaSetController::ready).count();
        String now = clock.instant().toString();
        Condition previousPaused = rs.getStatus() == null || rs.getStatus().conditions() == null ? null
                : rs.getStatus().conditions().stream().filter(c -> "ReplicaPaused".equals(c.type())).findFirst().orElse(null);
        List<Condition> conditions = paused
                ? List.of(Condition.of("ReplicaPaused", true, "Paused", "Controller is paused", now).since(previousPaused))
                : null;
        ReplicaSetStatus next = new ReplicaSetStatus(active.size() + created, ready, Selector.format(spec.selector()), conditions);
        if (!next.equals(rs.getStatus())) {
            ReplicaSetResource copy = new ReplicaSetResource();
            copy.setMetadata(rs.getMetadata());
            copy.setSpec(spec);
            copy.setStatus(next);
            client.resources(ReplicaSetResource.class).inNamespace(key.namespace()).resource(copy).updateStatus();
        }
        return Outcome.DONE;
    }

    private static VirtualMachineInstanceResource newVmi(ReplicaSetResource rs) {
        VirtualMachineInstanceTemplateSpec template = rs.getSpec().template();
        VirtualMachineInstanceResource vmi = new VirtualMachineInstanceResource();
        vmi.setMetadata(new ObjectMetaBuilder()
                .withGenerateName(rs.getMetadata().getName())
                .withNamespace(rs.getMetadata().getNamespace())
                .withLabels(template.metadata() == null ? null : template.metadata().labels())
                .withAnnotations(template.metadata() == null ? null : template.metadata().annotations())
                .withFinalizers(VirtualMachineInstanceController.FINALIZER)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(rs.getApiVersion()).withKind(rs.getKind())
                        .withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .build());
        vmi.setSpec(template.spec());
        return vmi;
    }

    static boolean controlledBy(VirtualMachineInstanceResource vmi, String uid) {
        return vmi.getMetadata().getOwnerReferences() != null && vmi.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && uid.equals(r.getUid()));
    }

    private static ScalePlan.Member member(VirtualMachineInstanceResource v) {
        return new ScalePlan.Member(v.getMetadata().getName(), v.getStatus() == null ? null : v.getStatus().phase(), ready(v),
                v.getMetadata().getDeletionTimestamp() != null, v.getMetadata().getCreationTimestamp());
    }

    private static boolean ready(VirtualMachineInstanceResource v) {
        if (v.getStatus() == null || v.getStatus().conditions() == null) return false;
        return v.getStatus().conditions().stream().anyMatch(c -> "Ready".equals(c.type()) && "True".equals(c.status()));
    }

}
