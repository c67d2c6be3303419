package io.jvirt.handler.vmi;

/**
 * A containerDisk or kernel-boot image that could not be pulled, with kubelet's wording ({@code Failed to pull image
 * "X": <the registry's message>}). The node tries again with a back-off.
 */
public final class ImagePullFailure extends Exception {
    public ImagePullFailure(String image, String reason) {
        super("Failed to pull image \"" + image + "\": " + reason);
    }
}
