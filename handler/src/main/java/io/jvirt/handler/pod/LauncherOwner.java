package io.jvirt.handler.pod;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/**
 * The VMI a launcher pod belongs to, as the pod itself states it (pure): the label
 * {@code kubevirt.io=virt-launcher}, a controller owner reference to a {@code kubevirt.io}
 * VirtualMachineInstance, and the label {@code kubevirt.io/created-by} equal to that VMI's uid.
 * Whether that VMI exists and names the pod is the VMI side's check ({@link LauncherPods#verify}).
 */
public record LauncherOwner(String namespace, String vmiName, String vmiUid) {
    public static final String APP_LABEL = "kubevirt.io";
    public static final String APP_VALUE = "virt-launcher";
    public static final String CREATED_BY = "kubevirt.io/created-by";
    static final String VMI_KIND = "VirtualMachineInstance";
    static final String VMI_GROUP = "kubevirt.io";

    /** @throws PodRefusedException when the pod is not a launcher pod owned by a VMI */
    public static LauncherOwner of(Pod pod) throws PodRefusedException {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        if (!APP_VALUE.equals(labels.get(APP_LABEL))) {
            throw new PodRefusedException("NotALauncherPod",
                    "this node runs only VMI launcher pods (label " + APP_LABEL + "=" + APP_VALUE + ", owned by a VirtualMachineInstance)");
        }
        List<OwnerReference> refs = pod.getMetadata().getOwnerReferences() == null ? List.of() : pod.getMetadata().getOwnerReferences();
        OwnerReference controller = refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst()
                .orElseThrow(() -> new PodRefusedException("NoVmiOwner", "a launcher pod must have a controller owner reference to its VirtualMachineInstance"));
        String group = controller.getApiVersion() == null ? "" : controller.getApiVersion().split("/", 2)[0];
        if (!VMI_KIND.equals(controller.getKind()) || !VMI_GROUP.equals(group) || controller.getName() == null || controller.getUid() == null) {
            throw new PodRefusedException("NoVmiOwner", "the launcher pod's controller is " + controller.getApiVersion() + " "
                    + controller.getKind() + " " + controller.getName() + ", not a " + VMI_GROUP + " " + VMI_KIND);
        }
        if (!controller.getUid().equals(labels.get(CREATED_BY))) {
            throw new PodRefusedException("VmiMismatch", "label " + CREATED_BY + "=" + labels.get(CREATED_BY)
                    + " does not name the owning VirtualMachineInstance's uid " + controller.getUid());
        }
        return new LauncherOwner(pod.getMetadata().getNamespace(), controller.getName(), controller.getUid());
    }
}
