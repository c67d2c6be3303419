package io.jvirt.qemu;

/** A QEMU accelerator, named as {@code -accel} expects. */
public enum Accel {
    /** Hardware virtualisation through /dev/kvm. */
    KVM("kvm"),
    /** QEMU's software emulation (Tiny Code Generator). */
    TCG("tcg");

    private final String qemuName;

    Accel(String qemuName) {
        this.qemuName = qemuName;
    }

    /** The name QEMU uses for {@code -accel}. */
    public String qemuName() {
        return qemuName;
    }
}
