package io.jvirt.qemu.img;

import java.util.Arrays;

/** Disk image formats jvirt handles, named as qemu-img's {@code -f}/{@code -O} expect. */
public enum ImageFormat {
    RAW("raw"), QCOW2("qcow2"), VMDK("vmdk"), VPC("vpc"), VHDX("vhdx"), VDI("vdi");

    private final String qemuName;

    ImageFormat(String qemuName) {
        this.qemuName = qemuName;
    }

    /** The name qemu-img and QEMU's {@code format=}/{@code driver=} use. */
    public String qemuName() {
        return qemuName;
    }

    /** The format qemu-img calls {@code name}. */
    public static ImageFormat fromQemu(String name) {
        return Arrays.stream(values()).filter(f -> f.qemuName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("image format not supported by jvirt: '" + name + "'"));
    }
}
