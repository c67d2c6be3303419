package io.jvirt.controller.datavolume.image;

import java.io.IOException;

/**
 * The content offered for a volume was refused (unsafe, corrupt, too large, not what it claims to be): retrying
 * cannot help, so the DataVolume fails with this message. Nothing of it is left in the volume.
 */
public final class ImageRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageRefusedException(String message) {
        super(message);
    }
}
