package io.jvirt.controller.vm;

import io.jvirt.controller.resource.VirtualMachineInstanceResource;

/** What the VM controller needs to know about the VM's VMI. */
public enum VmiState {
    /** There is no VMI. */
    NONE,
    /** A VMI exists and has not finished. */
    ACTIVE,
    /** The VMI is being deleted. */
    TERMINATING,
    /** The VMI stopped on its own (phase Succeeded). */
    SUCCEEDED,
    /** The VMI crashed or could not start (phase Failed). */
    FAILED;

    public static VmiState of(VirtualMachineInstanceResource vmi) {
        if (vmi == null) return NONE;
        if (vmi.getMetadata().getDeletionTimestamp() != null) return TERMINATING;
        String phase = vmi.getStatus() == null ? null : vmi.getStatus().phase();
        if ("Succeeded".equals(phase)) return SUCCEEDED;
        if ("Failed".equals(phase)) return FAILED;
        return ACTIVE;
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED;
    }
}
