package io.jvirt.controller.scheduler;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.storage.LocalVolumes;
import java.util.Map;
import java.util.Optional;

/**
 * kube-scheduler's volume binding step, for the claims a pod names: a bound claim is ready; an unbound claim of a
 * {@code WaitForFirstConsumer} class gets {@value LocalVolumes#SELECTED_NODE} = the node chosen for the pod (its
 * provisioner then binds it) and the pod waits until it is bound; an unbound claim of an {@code Immediate} class is
 * waited for; a bound claim a DataVolume is still filling (CDI's {@value LocalVolumes#POPULATION_PHASE} not Succeeded) is waited for
 * too, so a VMI on a WaitForFirstConsumer DataVolume starts once its disk is there. The pod is bound to its node only
 * once all its claims are ready; a claim that does not exist makes it unschedulable with kube-scheduler's message
 * ({@code persistentvolumeclaim "X" not found}) until the claim appears. Reads caches; writes the annotation with the
 * scheduler's client.
 */
final class VolumeBinding {
    private final KubernetesClient client;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<StorageClass> classes;

    VolumeBinding(KubernetesClient client, SharedIndexInformer<PersistentVolumeClaim> claims, SharedIndexInformer<StorageClass> classes) {
        this.client = client;
        this.claims = claims;
        this.classes = classes;
    }

    /**
     * Why a pod waits for its claims: kube-scheduler's wording, and whether the wait is one kube-scheduler reports as
     * unschedulable (a claim that does not exist: nothing will bind it until someone creates it) rather than one it
     * waits through silently (a claim being bound or filled).
     */
    record Wait(String message, boolean unschedulable) {}

    /** Why {@code pod} cannot be bound to {@code node} yet (a claim is missing or not bound), or empty when it can. */
    Optional<Wait> waitFor(Pod pod, String node) {
        if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) return Optional.empty();
        String ns = pod.getMetadata().getNamespace();
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getPersistentVolumeClaim() == null) continue;
            String name = v.getPersistentVolumeClaim().getClaimName();
            PersistentVolumeClaim pvc = claims.getIndexer().getByKey(ns + "/" + name);
            if (pvc == null) return Optional.of(new Wait("persistentvolumeclaim \"" + name + "\" not found", true));
            if ("Bound".equals(pvc.getStatus() == null ? null : pvc.getStatus().getPhase())) {
                String filling = pvc.getMetadata().getAnnotations() == null ? null : pvc.getMetadata().getAnnotations().get(LocalVolumes.POPULATION_PHASE);
                if (filling == null || filling.equals("Succeeded")) continue;
                return Optional.of(new Wait("waiting for persistentvolumeclaim \"" + name + "\" to be populated (" + filling + ")", false));
            }
            StorageClass sc = classOf(pvc);
            if (sc != null && "WaitForFirstConsumer".equals(sc.getVolumeBindingMode()) && annotation(pvc) == null) {
                client.persistentVolumeClaims().inNamespace(ns).withName(name)
                        .edit(c -> { c.getMetadata().getAnnotations().put(LocalVolumes.SELECTED_NODE, node); return c; });
            }
            return Optional.of(new Wait("waiting for persistentvolumeclaim \"" + name + "\" to be bound", false));
        }
        return Optional.empty();
    }

    private StorageClass classOf(PersistentVolumeClaim pvc) {
        String name = pvc.getSpec().getStorageClassName();
        if (name != null) return classes.getIndexer().getByKey(name);
        return classes.getIndexer().list().stream()
                .filter(sc -> sc.getMetadata().getAnnotations() != null && "true".equals(sc.getMetadata().getAnnotations().get(LocalVolumes.DEFAULT_CLASS)))
                .findFirst().orElse(null);
    }

    private static String annotation(PersistentVolumeClaim pvc) {
        Map<String, String> a = pvc.getMetadata().getAnnotations();
        return a == null ? null : a.get(LocalVolumes.SELECTED_NODE);
    }
}
