package io.jvirt.controller.vmi;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.api.v1.FailureReason;

/**
 * What the VMI controller sees of a launcher pod.
 *
 * @param nodeName {@code spec.nodeName}, null until bound
 * @param phase the pod's {@code status.phase}
 * @param unschedulableMessage the message of PodScheduled=False/Unschedulable, null if none
 * @param deleting the pod has a deletionTimestamp
 * @param failureReason the reason of the {@code compute} container's waiting or terminated state when the node gave a
 *     {@link FailureReason} ({@code ErrImagePull}, {@code StartError}, …), else null
 * @param failureMessage the node's message with that reason
 */
public record PodView(String nodeName, String phase, String unschedulableMessage, boolean deleting, String failureReason,
                      String failureMessage) {

    /** The view of {@code pod}. */
    static PodView of(Pod pod) {
        ContainerState state = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? null
                : pod.getStatus().getContainerStatuses().stream().filter(c -> LauncherPod.CONTAINER.equals(c.getName()))
                        .map(c -> c.getState()).filter(s -> s != null).findFirst().orElse(null);
        String reason = null;
        String message = null;
        if (state != null && state.getWaiting() != null) {
            reason = state.getWaiting().getReason();
            message = state.getWaiting().getMessage();
        } else if (state != null && state.getTerminated() != null) {
            reason = state.getTerminated().getReason();
            message = state.getTerminated().getMessage();
        }
        boolean typed = reason != null && FailureReason.of(reason).isPresent();
        return new PodView(pod.getSpec() == null ? null : pod.getSpec().getNodeName(), pod.getStatus() == null ? null : pod.getStatus().getPhase(),
                VirtualMachineInstanceController.unschedulableMessage(pod), pod.getMetadata().getDeletionTimestamp() != null,
                typed ? reason : null, typed ? message : null);
    }
}
