package io.jvirt.launcher.convert;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A volume the node has prepared: a containerDisk overlay, a PVC or hostDisk image, an emptyDisk
 * scratch file, an ephemeral overlay, or a cloud-init ISO.
 *
 * @param path absolute path of the image file or block device
 * @param format its format; QEMU is never left to probe it
 * @param blockDevice true when {@code path} is a block device (a {@code lun} then becomes {@code scsi-block})
 */
public record ReadyDisk(Path path, DiskFormat format, boolean blockDevice) {
    public ReadyDisk {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
    }

    /** A regular image file. */
    public static ReadyDisk file(Path path, DiskFormat format) {
        return new ReadyDisk(path, format, false);
    }
}
