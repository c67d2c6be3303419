package io.jvirt.qemu.img;

/** Who made an image's chain of other files (backing file, data file, extents) — decides whether it may be used. */
public enum BackingChain {
    /** The image came from outside (user upload, registry, PVC): any reference to another file is refused. */
    FOREIGN,
    /** jvirt created this image and its backing chain itself (e.g. an overlay on a containerDisk it checked). */
    JVIRT_OWNED
}
