package io.jvirt.handler.vmi;

import io.jvirt.api.v1.FailureReason;
import io.jvirt.api.v1.LaunchFailure;

/**
 * A containerDisk or kernel-boot image that could not be pulled, with kubelet's wording ({@code Failed to pull image
 * "X": <the registry's message>}): a {@link LaunchFailure} of {@link FailureReason#ERR_IMAGE_PULL}, so the pod runner
 * tries again with a back-off ({@code ImagePullBackOff}) and the VMI and VM say why.
 */
public final class ImagePullFailure extends LaunchFailure {
    public ImagePullFailure(String image, String reason) {
        super(FailureReason.ERR_IMAGE_PULL, "Failed to pull image \"" + image + "\": " + reason);
    }
}
