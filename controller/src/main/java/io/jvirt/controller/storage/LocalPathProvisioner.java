package io.jvirt.controller.storage;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.storage.LocalVolumes;
import io.jvirt.controller.event.EventRecorder;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * jvirt's local-path provisioner and the claim side of Kubernetes' PV controller, per PersistentVolumeClaim key:
 * <ul>
 *   <li>adds {@code kubernetes.io/pvc-protection} to every claim, and removes it from a deleted claim only once no
 *       pod or VMI uses it ({@link ClaimUsers});</li>
 *   <li>a claim of class {@value LocalVolumes#STORAGE_CLASS} (or of none, when that class is the default) gets a
 *       PersistentVolume {@code pvc-<uid>} (hostPath {@code <root>/pvc-<uid>}, the claim's size, access modes and
 *       volume mode, reclaim policy Delete) and is bound to it — at once ({@code Immediate}), or, for
 *       {@code WaitForFirstConsumer}, once the scheduler has written {@value LocalVolumes#SELECTED_NODE} (or CDI's
 *       {@value LocalVolumes#BIND_IMMEDIATE} asks to bind at once: {@code virtctl image-upload --force-bind});</li>
 *   <li>a PV whose claim is gone (or replaced by one with another uid) is deleted with its files.</li>
 * </ul>
 * A Block claim needs loop devices ({@code /dev/loop-control}); where the host has none it stays Pending with a
 * {@code ProvisioningFailed} event. Idempotent; one key at a time.
 */
public final class LocalPathProvisioner implements Reconciler {
    private static final System.Logger LOG = System.getLogger(LocalPathProvisioner.class.getName());
    private static final Path LOOP_CONTROL = Path.of("/dev/loop-control");

    private final KubernetesClient client;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final SharedIndexInformer<StorageClass> classes;
    private final ClaimUsers users;
    private final VolumeFiles files;
    private final EventRecorder events;

    public LocalPathProvisioner(KubernetesClient client, SharedIndexInformer<PersistentVolumeClaim> claims,
                                SharedIndexInformer<PersistentVolume> volumes, SharedIndexInformer<StorageClass> classes,
                                ClaimUsers users, VolumeFiles files, EventRecorder events) {
        this.client = client;
        this.claims = claims;
        this.volumes = volumes;
        this.classes = classes;
        this.users = users;
        this.files = files;
        this.events = events;
    }

    /** Creates StorageClass {@value LocalVolumes#STORAGE_CLASS} unless it exists; it is the default when no other class is. */
    public static void ensureStorageClass(KubernetesClient client) {
        if (client.storage().v1().storageClasses().withName(LocalVolumes.STORAGE_CLASS).get() != null) return;
        boolean otherDefault = client.storage().v1().storageClasses().list().getItems().stream().anyMatch(LocalPathProvisioner::isDefault);
        StorageClass sc = new StorageClassBuilder().withNewMetadata().withName(LocalVolumes.STORAGE_CLASS)
                .addToAnnotations(LocalVolumes.DEFAULT_CLASS, Boolean.toString(!otherDefault)).endMetadata()
                .withProvisioner(LocalVolumes.PROVISIONER).withReclaimPolicy("Delete").withVolumeBindingMode("Immediate").build();
        try {
            client.storage().v1().storageClasses().resource(sc).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) throw e;
        }
    }

    /** The key of the claim a PV was bound to, if any. */
    public static Optional<Key> claimOf(PersistentVolume pv) {
        var ref = pv.getSpec() == null ? null : pv.getSpec().getClaimRef();
        return ref == null || ref.getName() == null ? Optional.empty() : Optional.of(new Key(ref.getNamespace(), ref.getName()));
    }

    @Override
    public Outcome reconcile(Key key) throws Exception {
        PersistentVolumeClaim pvc = claims.getIndexer().getByKey(key.cacheKey());
        reclaimOrphans(key, pvc);
        if (pvc == null) return Outcome.DONE;
        List<String> finalizers = pvc.getMetadata().getFinalizers() == null ? List.of() : pvc.getMetadata().getFinalizers();
        if (pvc.getMetadata().getDeletionTimestamp() != null) {
            if (finalizers.contains(LocalVolumes.PVC_PROTECTION)) releaseWhenUnused(pvc);
            return Outcome.DONE;
        }
        if (!finalizers.contains(LocalVolumes.PVC_PROTECTION)) {
            client.persistentVolumeClaims().inNamespace(key.namespace()).withName(key.name())
                    .edit(c -> { c.getMetadata().getFinalizers().add(LocalVolumes.PVC_PROTECTION); return c; });
            return Outcome.DONE; // the update comes back as an event
        }
        String bound = pvc.getSpec().getVolumeName();
        if (bound != null && !bound.isEmpty()) {
            PersistentVolume pv = volumes.getIndexer().getByKey(bound);
            if (pv != null && !"Bound".equals(phase(pvc))) markBound(pvc, pv);
            return Outcome.DONE;
        }
        StorageClass sc = classOf(pvc);
        if (sc == null || !LocalVolumes.PROVISIONER.equals(sc.getProvisioner())) return Outcome.DONE;
        if ("WaitForFirstConsumer".equals(sc.getVolumeBindingMode()) && annotation(pvc, LocalVolumes.SELECTED_NODE) == null
                && !"true".equals(annotation(pvc, LocalVolumes.BIND_IMMEDIATE))) {
            setPending(pvc);
            return Outcome.DONE;
        }
        boolean block = "Block".equals(pvc.getSpec().getVolumeMode());
        if (block && !Files.exists(LOOP_CONTROL)) {
            events.record(pvc, EventRecorder.WARNING, "ProvisioningFailed", "volumeMode Block needs loop devices and this host has none ("
                    + LOOP_CONTROL + " is missing); use volumeMode Filesystem");
            setPending(pvc);
            return Outcome.DONE;
        }
        provision(pvc, sc, block);
        return Outcome.DONE;
    }

    private void provision(PersistentVolumeClaim pvc, StorageClass sc, boolean block) throws Exception {
        Quantity size = pvc.getSpec().getResources().getRequests().get("storage");
        long bytes = io.jvirt.api.meta.Quantity.parse(size.toString()).toLongCeiling();
        String pvName = LocalVolumes.volumeName(pvc.getMetadata().getUid());
        Path dir = files.create(pvName, block, bytes);
        PersistentVolume pv = volumes.getIndexer().getByKey(pvName);
        if (pv == null) {
            pv = new PersistentVolumeBuilder().withNewMetadata().withName(pvName)
                    .addToAnnotations(LocalVolumes.PROVISIONED_BY, LocalVolumes.PROVISIONER).endMetadata()
                    .withNewSpec()
                    .withCapacity(Map.of("storage", size))
                    .withAccessModes(pvc.getSpec().getAccessModes())
                    .withVolumeMode(block ? "Block" : "Filesystem")
                    .withStorageClassName(sc.getMetadata().getName())
                    .withPersistentVolumeReclaimPolicy(sc.getReclaimPolicy() == null ? "Delete" : sc.getReclaimPolicy())
                    .withNewHostPath().withPath(dir.toString()).withType("DirectoryOrCreate").endHostPath()
                    .withClaimRef(new ObjectReferenceBuilder().withApiVersion("v1").withKind("PersistentVolumeClaim")
                            .withNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName())
                            .withUid(pvc.getMetadata().getUid()).withResourceVersion(pvc.getMetadata().getResourceVersion()).build())
                    .endSpec().build();
            try {
                pv = client.persistentVolumes().resource(pv).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) throw e;
                pv = client.persistentVolumes().withName(pvName).get();
            }
            events.record(pvc, EventRecorder.NORMAL, "ProvisioningSucceeded", "Successfully provisioned volume " + pvName);
        }
        PersistentVolume withStatus = new PersistentVolumeBuilder(pv).withNewStatus().withPhase("Bound").endStatus().build();
        client.persistentVolumes().resource(withStatus).updateStatus();
        PersistentVolumeClaim bound = client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace())
                .withName(pvc.getMetadata().getName()).edit(c -> {
                    c.getSpec().setVolumeName(pvName);
                    if (c.getSpec().getStorageClassName() == null) c.getSpec().setStorageClassName(sc.getMetadata().getName());
                    c.getMetadata().getAnnotations().put("pv.kubernetes.io/bind-completed", "yes");
                    c.getMetadata().getAnnotations().put("pv.kubernetes.io/bound-by-controller", "yes");
                    c.getMetadata().getAnnotations().put("volume.kubernetes.io/storage-provisioner", LocalVolumes.PROVISIONER);
                    return c;
                });
        markBound(bound, pv);
    }

    private void markBound(PersistentVolumeClaim pvc, PersistentVolume pv) {
        PersistentVolumeClaim copy = client.getKubernetesSerialization().clone(pvc);
        copy.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                .withAccessModes(pv.getSpec().getAccessModes()).withCapacity(pv.getSpec().getCapacity()).build());
        client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace()).resource(copy).updateStatus();
    }

    private void setPending(PersistentVolumeClaim pvc) {
        if ("Pending".equals(phase(pvc))) return;
        PersistentVolumeClaim copy = client.getKubernetesSerialization().clone(pvc);
        copy.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Pending").build());
        client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace()).resource(copy).updateStatus();
    }

    /** pvc-protection: the finalizer goes once nothing uses the claim; until then the claim stays (Terminating). */
    private void releaseWhenUnused(PersistentVolumeClaim pvc) {
        Optional<String> user = users.firstUser(pvc.getMetadata().getNamespace(), pvc.getMetadata().getName());
        if (user.isPresent()) {
            LOG.log(System.Logger.Level.DEBUG, "claim " + pvc.getMetadata().getName() + " is deleted but still used by " + user.get());
            return;
        }
        client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace()).withName(pvc.getMetadata().getName())
                .edit(c -> { c.getMetadata().getFinalizers().remove(LocalVolumes.PVC_PROTECTION); return c; });
    }

    /** Deletes this provisioner's PVs (and files) bound to {@code key} whose claim is gone or has another uid. */
    private void reclaimOrphans(Key key, PersistentVolumeClaim pvc) throws Exception {
        List<PersistentVolume> orphans = new ArrayList<>();
        for (PersistentVolume pv : volumes.getIndexer().list()) {
            var ref = pv.getSpec() == null ? null : pv.getSpec().getClaimRef();
            if (ref == null || !key.name().equals(ref.getName()) || !Objects.equals(key.namespace(), ref.getNamespace())) continue;
            if (!LocalVolumes.PROVISIONER.equals(annotation(pv, LocalVolumes.PROVISIONED_BY))) continue;
            if (pvc != null && pvc.getMetadata().getUid().equals(ref.getUid())) continue;
            orphans.add(pv);
        }
        for (PersistentVolume pv : orphans) {
            String name = pv.getMetadata().getName();
            if ("Retain".equals(pv.getSpec().getPersistentVolumeReclaimPolicy())) {
                if (!"Released".equals(pv.getStatus() == null ? null : pv.getStatus().getPhase())) {
                    client.persistentVolumes().resource(new PersistentVolumeBuilder(pv).withNewStatus().withPhase("Released").endStatus().build()).updateStatus();
                }
                continue;
            }
            files.delete(name);
            client.persistentVolumes().withName(name).delete();
            LOG.log(System.Logger.Level.INFO, "deleted volume " + name + " of claim " + key);
        }
    }

    private StorageClass classOf(PersistentVolumeClaim pvc) {
        String name = pvc.getSpec().getStorageClassName();
        if (name != null) return name.isEmpty() ? null : classes.getIndexer().getByKey(name);
        return classes.getIndexer().list().stream().filter(LocalPathProvisioner::isDefault).findFirst().orElse(null);
    }

    private static boolean isDefault(StorageClass sc) {
        return "true".equals(annotation(sc, LocalVolumes.DEFAULT_CLASS));
    }

    private static String phase(PersistentVolumeClaim pvc) {
        return pvc.getStatus() == null ? null : pvc.getStatus().getPhase();
    }

    private static String annotation(io.fabric8.kubernetes.api.model.HasMetadata o, String name) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(name);
    }
}
