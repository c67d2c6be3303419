package io.jvirt.apiserver.subresources;

/**
 * What the VM lifecycle rules look at.
 *
 * @param runStrategy the effective run strategy (runStrategy, else Always/Halted from the legacy {@code spec.running})
 * @param vmi the state of the VM's VMI (same name, same namespace)
 * @param vmiUid that VMI's UID, null when there is none
 */
public record VmFacts(String runStrategy, VmiPresence vmi, String vmiUid) {
    /** The VMI of a VM as the rules see it. */
    public enum VmiPresence {
        /** No VMI. */
        NONE,
        /** A VMI that has not finished (any phase before Succeeded/Failed, deleting or not). */
        ACTIVE,
        /** A VMI in phase Succeeded. */
        SUCCEEDED,
        /** A VMI in phase Failed. */
        FAILED;

        boolean finished() {
            return this == SUCCEEDED || this == FAILED;
        }
    }
}
