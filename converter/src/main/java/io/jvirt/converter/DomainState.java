package io.jvirt.converter;

/** The life cycle of the one QEMU a launcher runs. SHUTOFF and CRASHED are final. */
public enum DomainState {
    /** Converted and prepared, QEMU not started yet. */
    DEFINED,
    /** QEMU started, CPUs not yet running. */
    STARTING,
    RUNNING,
    PAUSED,
    /** ACPI power button pressed; waiting for the guest within the grace period. */
    SHUTTING_DOWN,
    /** QEMU exited as asked: guest power-off, or a requested kill. */
    SHUTOFF,
    /** QEMU died unasked, or the guest panicked. */
    CRASHED;

    public boolean isFinal() {
        return this == SHUTOFF || this == CRASHED;
    }
}
