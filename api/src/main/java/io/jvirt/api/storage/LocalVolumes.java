package io.jvirt.api.storage;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The contract of jvirt's local-path provisioner between the side that creates and fills volumes
 * (the controller: provisioner, DataVolume import, upload) and the node that hands them to QEMU.
 *
 * <p>A PersistentVolume {@code pvc-<claim uid>} lives in {@code <root>/<pv name>/} (root is
 * {@code $JVIRT_HOME/volumes}): {@value #DISK_IMAGE} for {@code volumeMode: Filesystem} (KubeVirt's
 * file on a filesystem PVC, raw, sparse, as large as the claim) or {@value #BLOCK_IMAGE} for
 * {@code volumeMode: Block} (raw, attached by the node as a loop device). The directory is always
 * derived from the PV's name, never from a path written in an API object.
 */
public final class LocalVolumes {
    /** {@code provisioner} of the StorageClass and {@code pv.kubernetes.io/provisioned-by} of its PVs. */
    public static final String PROVISIONER = "jvirt.io/local-path";
    /** The StorageClass jvirt creates (the default one unless another is marked default). */
    public static final String STORAGE_CLASS = "local-path";
    /** KubeVirt's image file on a Filesystem-mode PVC. */
    public static final String DISK_IMAGE = "disk.img";
    /** The file behind a Block-mode volume's loop device. */
    public static final String BLOCK_IMAGE = "block.img";
    /** Annotation on a PV naming its provisioner (Kubernetes' own key). */
    public static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    /** Annotation the scheduler puts on a WaitForFirstConsumer claim once a consumer has a node (Kubernetes' key). */
    public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    /**
     * CDI's annotation on a claim a DataVolume fills: Pending, Running, Succeeded or Failed. The scheduler holds a
     * consumer pod and the node refuses the volume until it says Succeeded; a claim without it is a plain one.
     */
    public static final String POPULATION_PHASE = "cdi.kubevirt.io/storage.pod.phase";
    /** CDI's annotation asking to bind a claim of a WaitForFirstConsumer class at once. */
    public static final String BIND_IMMEDIATE = "cdi.kubevirt.io/storage.bind.immediate.requested";
    /** Kubernetes' finalizer keeping a claim while a pod uses it. */
    public static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    /** Kubernetes' annotation marking a StorageClass as the default one. */
    public static final String DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

    private static final Pattern PV_NAME = Pattern.compile("pvc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private LocalVolumes() {}

    /** The name of the PV provisioned for the claim with {@code claimUid}. */
    public static String volumeName(String claimUid) {
        return "pvc-" + claimUid;
    }

    /**
     * The directory of PV {@code pvName} under {@code root}.
     *
     * @throws IllegalArgumentException when the name is not one this provisioner gives ({@code pvc-<uid>}),
     *     so no name can reach outside {@code root}
     */
    public static Path directory(Path root, String pvName) {
        if (pvName == null || !PV_NAME.matcher(pvName).matches()) {
            throw new IllegalArgumentException("PersistentVolume '" + pvName + "' was not provisioned by " + PROVISIONER);
        }
        return root.resolve(pvName);
    }

    /** The image file of the PV: {@value #BLOCK_IMAGE} when {@code block}, else {@value #DISK_IMAGE}. */
    public static Path image(Path root, String pvName, boolean block) {
        return directory(root, pvName).resolve(block ? BLOCK_IMAGE : DISK_IMAGE);
    }
}
