package io.jvirt.api.v1;

import java.util.Arrays;
import java.util.Optional;

/**
 * Why a launcher pod's VMI could not be started on its node, with the reason string KubeVirt's users read in
 * {@code kubectl get vm} ({@code printableStatus}), in the VMI's {@code Synchronized} condition and in events. The node
 * agent writes it into the launcher pod's {@code compute} container state (as kubelet writes its reasons);
 * virt-controller carries it from there to the VMI and the VM. Every cause of a failed start (the node's image puller,
 * its volume preparation) names one of these through {@link LaunchFailure}.
 */
public enum FailureReason {
    /**
     * The containerDisk image could not be had: not in the registry, no mirror for it, a pull that failed. Transient:
     * the node tries again with a back-off; the pod stays Pending, its container waiting (kubelet's reason).
     */
    ERR_IMAGE_PULL("ErrImagePull", true),
    /** An image pull that failed again and waits for its next attempt (kubelet's reason while backing off). */
    IMAGE_PULL_BACK_OFF("ImagePullBackOff", true),
    /**
     * The pod cannot be started on this node, and never will be: a volume kind it does not prepare, a disk it cannot
     * make. The pod is Failed, its container terminated with this reason (kubelet's reason for a container that could
     * not start).
     */
    START_ERROR("StartError", false);

    private final String reason;
    private final boolean transient_;

    FailureReason(String reason, boolean transient_) {
        this.reason = reason;
        this.transient_ = transient_;
    }

    /** The reason as written in the API ({@code ErrImagePull}, …). */
    public String reason() {
        return reason;
    }

    /** True when the node tries again (the pod stays Pending); false when the pod is Failed for good. */
    public boolean isTransient() {
        return transient_;
    }

    /** The reason named {@code reason}, if it is one of these. */
    public static Optional<FailureReason> of(String reason) {
        return Arrays.stream(values()).filter(r -> r.reason.equals(reason)).findFirst();
    }
}
