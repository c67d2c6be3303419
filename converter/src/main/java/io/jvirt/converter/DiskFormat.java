package io.jvirt.converter;

/** The format of a disk image the node hands over; always pinned on the QEMU command line. */
public enum DiskFormat {
    RAW("raw"),
    QCOW2("qcow2");

    private final String qemuDriver;

    DiskFormat(String qemuDriver) {
        this.qemuDriver = qemuDriver;
    }

    /** The QEMU block driver name. */
    public String qemuDriver() {
        return qemuDriver;
    }
}
