package io.jvirt.controller.storage;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.v1.VirtualMachineInstanceSpec;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who uses a claim, for {@code kubernetes.io/pvc-protection}: pods that have not ended and name it in a
 * {@code persistentVolumeClaim} volume (Kubernetes' rule), and VMIs that have not ended and name it in a
 * {@code persistentVolumeClaim} or {@code dataVolume} volume (their launcher pod may not exist yet, or be gone
 * while QEMU still stops). Reads informer caches only; thread-safe.
 */
public final class ClaimUsers {
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<VirtualMachineInstanceResource> vmis;

    public ClaimUsers(SharedIndexInformer<Pod> pods, SharedIndexInformer<VirtualMachineInstanceResource> vmis) {
        this.pods = pods;
        this.vmis = vmis;
    }

    /** The first user of claim {@code namespace/name}, as "pod NAME" or "VirtualMachineInstance NAME", if any. */
    public Optional<String> firstUser(String namespace, String name) {
        for (Pod pod : pods.getIndexer().byIndex("namespace", namespace)) {
            if (ended(pod) || pod.getSpec() == null || pod.getSpec().getVolumes() == null) continue;
            for (Volume v : pod.getSpec().getVolumes()) {
                if (v.getPersistentVolumeClaim() != null && name.equals(v.getPersistentVolumeClaim().getClaimName())) {
                    return Optional.of("pod " + pod.getMetadata().getName());
                }
            }
        }
        for (VirtualMachineInstanceResource vmi : vmis.getIndexer().byIndex("namespace", namespace)) {
            String phase = vmi.getStatus() == null ? null : vmi.getStatus().phase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) continue;
            if (claimsOf(vmi.getSpec()).contains(name)) return Optional.of("VirtualMachineInstance " + vmi.getMetadata().getName());
        }
        return Optional.empty();
    }

    /**
     * The claims a VMI spec names: {@code persistentVolumeClaim.claimName}, {@code dataVolume.name} (a DV's claim has its
     * name) and {@code ephemeral.persistentVolumeClaim.claimName}.
     */
    public static List<String> claimsOf(VirtualMachineInstanceSpec spec) {
        List<String> out = new ArrayList<>();
        if (spec == null || spec.volumes() == null) return out;
        for (io.jvirt.api.v1.Volume v : spec.volumes()) {
            if (v.persistentVolumeClaim() != null && v.persistentVolumeClaim().claimName() != null) out.add(v.persistentVolumeClaim().claimName());
            if (v.dataVolume() != null && v.dataVolume().name() != null) out.add(v.dataVolume().name());
            if (v.ephemeral() != null && v.ephemeral().persistentVolumeClaim() != null && v.ephemeral().persistentVolumeClaim().claimName() != null) {
                out.add(v.ephemeral().persistentVolumeClaim().claimName());
            }
        }
        return out;
    }

    private static boolean ended(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }
}
