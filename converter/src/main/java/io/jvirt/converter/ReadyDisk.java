package io.jvirt.converter;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A volume the node has prepared: a containerDisk overlay, a PVC or hostDisk image, an emptyDisk
 * scratch file, an ephemeral overlay, or a cloud-init ISO.
 *
 * @param path absolute path of the image file or block device
 * @param format its format; QEMU is never left to probe it
 * @param blockDevice true when {@code path} is a block device (a {@code lun} then becomes {@code scsi-block})
 * @param jvirtOwnedChain true when jvirt itself created the image and its backing chain (a
 *     containerDisk or ephemeral overlay, an emptyDisk); false for foreign images (PVC, DataVolume,
 *     hostDisk), which are refused when they refer to any other file
 */
public record ReadyDisk(Path path, DiskFormat format, boolean blockDevice, boolean jvirtOwnedChain) {
    public ReadyDisk {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
    }

    /** A foreign regular image file (PVC, DataVolume, hostDisk, ISO). */
    public static ReadyDisk file(Path path, DiskFormat format) {
        return new ReadyDisk(path, format, false, false);
    }

    /** An image the node created itself, e.g. a qcow2 overlay over a checked containerDisk. */
    public static ReadyDisk jvirtOwned(Path path, DiskFormat format) {
        return new ReadyDisk(path, format, false, true);
    }
}
