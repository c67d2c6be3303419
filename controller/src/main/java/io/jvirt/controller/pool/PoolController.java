package io.jvirt.controller.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.controller.event.EventRecorder;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import io.jvirt.controller.replicaset.Selector;
import io.jvirt.controller.resource.PoolResource;
import io.jvirt.controller.resource.PoolSpec;
import io.jvirt.controller.resource.ReplicaSetStatus;
import io.jvirt.controller.resource.VirtualMachineResource;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The VirtualMachinePool controller, in the replica set controller's shape: keeps {@code spec.replicas} (the scale
 * subresource writes it) VirtualMachines that match the selector and are controlled by the pool, named and removed
 * as {@link PoolPlan} says. Each member is the pool's {@code virtualMachineTemplate} with its index applied as
 * KubeVirt applies it: DataVolume templates (and the volumes naming them) get {@code -<index>}, and with
 * {@code spec.nameGeneration.appendIndexToSecretRefs} / {@code appendIndexToConfigMapRefs} so do the Secrets
 * (cloud-init user, network and meta data, secret volumes) and ConfigMaps it refers to; the VM and its template carry
 * label {@code kubevirt.io/vm-pool-revision-name: <pool>-<generation>}. Writes {@code status.replicas},
 * {@code readyReplicas} (members whose Ready condition is True) and {@code labelSelector}. Members are counted from
 * a fresh list, so a create the cache has not seen yet is never repeated. Idempotent; see {@link Reconciler}.
 */
public final class PoolController implements Reconciler {
    static final String REVISION_LABEL = "kubevirt.io/vm-pool-revision-name";
    private final KubernetesClient client;
    private final SharedIndexInformer<PoolResource> pools;
    private final EventRecorder events;
    private final RandomGenerator random;

    public PoolController(KubernetesClient client, SharedIndexInformer<PoolResource> pools, EventRecorder events, RandomGenerator random) {
        this.client = client;
        this.pools = pools;
        this.events = events;
        this.random = random;
    }

    @Override
    public Outcome reconcile(Key key) {
        PoolResource pool = pools.getIndexer().getByKey(key.cacheKey());
        if (pool == null || pool.getMetadata().getDeletionTimestamp() != null) return Outcome.DONE;
        if (pool.getSpec() == null) return Outcome.DONE; // could not be read: the informer's handler reported why
        PoolSpec spec = pool.getSpec();
        String uid = pool.getMetadata().getUid();
        List<VirtualMachineResource> members = client.resources(VirtualMachineResource.class).inNamespace(key.namespace()).list().getItems().stream()
                .filter(vm -> Selector.matches(spec.selector(), vm.getMetadata().getLabels()))
                .filter(vm -> controlledBy(vm, uid))
                .toList();
        PoolPlan plan = PoolPlan.plan(key.name(), spec.replicas() == null ? 1 : spec.replicas(), Boolean.TRUE.equals(spec.paused()),
                sortPolicy(spec), members.stream().map(vm -> new PoolPlan.Member(vm.getMetadata().getName(),
                        vm.getMetadata().getDeletionTimestamp() != null, vm.getMetadata().getCreationTimestamp())).toList(), random);
        for (String name : plan.delete()) {
            client.resources(VirtualMachineResource.class).inNamespace(key.namespace()).withName(name)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            events.record(pool, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted VM " + key.namespace() + "/" + name + " from pool");
        }
        for (String name : plan.create()) {
            try {
                client.resources(VirtualMachineResource.class).inNamespace(key.namespace()).resource(member(pool, name)).create();
                events.record(pool, EventRecorder.NORMAL, "SuccessfulCreate", "Created VM " + key.namespace() + "/" + name);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) throw e; // a VM of that name exists (not ours, or not listed yet): look again later
                events.record(pool, EventRecorder.WARNING, "FailedCreate", "Error creating VM: "
                        + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage()));
                throw e;
            }
        }
        List<VirtualMachineResource> active = members.stream()
                .filter(vm -> vm.getMetadata().getDeletionTimestamp() == null && !plan.delete().contains(vm.getMetadata().getName()))
                .toList();
        int ready = (int) active.stream().filter(PoolController::ready).count();
        ReplicaSetStatus next = new ReplicaSetStatus(active.size() + plan.create().size(), ready, Selector.format(spec.selector()),
                pool.getStatus() == null ? null : pool.getStatus().conditions());
        if (!next.equals(pool.getStatus())) {
            PoolResource copy = new PoolResource();
            copy.setMetadata(pool.getMetadata());
            copy.setSpec(spec);
            copy.setStatus(next);
            client.resources(PoolResource.class).inNamespace(key.namespace()).resource(copy).updateStatus();
        }
        return Outcome.DONE;
    }

    private static String sortPolicy(PoolSpec spec) {
        if (spec.scaleInStrategy() == null) return null;
        Object proactive = spec.scaleInStrategy().get("proactive");
        if (!(proactive instanceof Map<?, ?> p) || !(p.get("selectionPolicy") instanceof Map<?, ?> s)) return null;
        return s.get("sortPolicy") instanceof String policy ? policy : null;
    }

    /** The member VM {@code name} of {@code pool}: its template, with the member's index applied. */
    VirtualMachineResource member(PoolResource pool, String name) {
        ObjectNode template = client.getKubernetesSerialization().convertValue(pool.getSpec().virtualMachineTemplate(), ObjectNode.class);
        int index = PoolPlan.index(name);
        String revision = pool.getMetadata().getName() + "-" + pool.getMetadata().getGeneration();
        ObjectNode metadata = template.has("metadata") ? (ObjectNode) template.get("metadata") : template.putObject("metadata");
        ObjectNode spec = template.has("spec") ? (ObjectNode) template.get("spec") : template.putObject("spec");
        indexed(spec, index, pool.getSpec().nameGeneration());
        (metadata.has("labels") ? (ObjectNode) metadata.get("labels") : metadata.putObject("labels")).put(REVISION_LABEL, revision);
        ObjectNode templateMetadata = spec.path("template").has("metadata") ? (ObjectNode) spec.path("template").get("metadata")
                : ((ObjectNode) spec.path("template")).putObject("metadata");
        (templateMetadata.has("labels") ? (ObjectNode) templateMetadata.get("labels") : templateMetadata.putObject("labels")).put(REVISION_LABEL, revision);
        metadata.put("name", name).put("namespace", pool.getMetadata().getNamespace());
        metadata.remove(List.of("uid", "resourceVersion", "generateName"));
        ObjectNode vm = client.getKubernetesSerialization().convertValue(Map.of("apiVersion", "kubevirt.io/v1", "kind", "VirtualMachine"), ObjectNode.class);
        vm.set("metadata", metadata);
        vm.set("spec", spec);
        VirtualMachineResource out = client.getKubernetesSerialization().convertValue(vm, VirtualMachineResource.class);
        out.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion(pool.getApiVersion()).withKind(pool.getKind())
                .withName(pool.getMetadata().getName()).withUid(pool.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build()));
        return out;
    }

    /** KubeVirt's per-member names: DataVolume templates and their volumes, and (when asked) Secret and ConfigMap refs. */
    static void indexed(ObjectNode vmSpec, int index, Map<String, Object> nameGeneration) {
        String suffix = "-" + index;
        boolean secrets = nameGeneration != null && Boolean.TRUE.equals(nameGeneration.get("appendIndexToSecretRefs"));
        boolean configMaps = nameGeneration != null && Boolean.TRUE.equals(nameGeneration.get("appendIndexToConfigMapRefs"));
        Map<String, String> dataVolumes = new java.util.HashMap<>();
        for (JsonNode t : vmSpec.path("dataVolumeTemplates")) {
            if (!(t.path("metadata") instanceof ObjectNode meta) || !meta.has("name")) continue;
            String indexedName = meta.path("name").asText() + suffix;
            dataVolumes.put(meta.path("name").asText(), indexedName);
            meta.put("name", indexedName);
        }
        JsonNode volumes = vmSpec.path("template").path("spec").path("volumes");
        if (!(volumes instanceof ArrayNode list)) return;
        for (JsonNode v : list) {
            if (!(v instanceof ObjectNode volume)) continue;
            rename(volume.path("persistentVolumeClaim"), "claimName", dataVolumes);
            rename(volume.path("dataVolume"), "name", dataVolumes);
            if (configMaps) append(volume.path("configMap"), "name", suffix);
            if (secrets) append(volume.path("secret"), "secretName", suffix);
            for (String cloudInit : List.of("cloudInitNoCloud", "cloudInitConfigDrive")) {
                for (String ref : List.of("userDataSecretRef", "networkDataSecretRef", "metaDataSecretRef")) {
                    if (secrets) append(volume.path(cloudInit).path(ref), "name", suffix);
                }
            }
            if (secrets) append(volume.path("sysprep").path("secret"), "name", suffix);
            if (configMaps) append(volume.path("sysprep").path("configMap"), "name", suffix);
        }
    }

    private static void rename(JsonNode source, String field, Map<String, String> names) {
        if (source instanceof ObjectNode o && names.containsKey(o.path(field).asText())) o.put(field, names.get(o.path(field).asText()));
    }

    private static void append(JsonNode ref, String field, String suffix) {
        if (ref instanceof ObjectNode o && o.has(field)) o.put(field, o.path(field).asText() + suffix);
    }

    static boolean controlledBy(VirtualMachineResource vm, String uid) {
        return vm.getMetadata().getOwnerReferences() != null && vm.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && uid.equals(r.getUid()));
    }

    private static boolean ready(VirtualMachineResource vm) {
        if (vm.getStatus() == null || vm.getStatus().conditions() == null) return false;
        return vm.getStatus().conditions().stream().anyMatch(c -> "Ready".equals(c.type()) && c.isTrue());
    }
}
