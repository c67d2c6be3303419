package io.jvirt.api.v1;

/**
 * The finalizers of KubeVirt's deletion order, shared by virt-controller and the node agent: a VMI being deleted
 * stays (with its {@code deletionTimestamp}) until its launcher pod is gone, and the pod stays until the node agent
 * has torn it down (its process exited; its network namespace, cgroup and run directory removed).
 */
public final class Finalizers {
    /** On every VMI, removed by virt-controller once the VMI's launcher pod is gone (KubeVirt's name). */
    public static final String VMI = "kubevirt.io/foregroundDeleteVirtualMachine";
    /**
     * The name jvirt gave the VMI finalizer before (KubeVirt's VM controller finalizer); still removed from VMIs that
     * carry it, never added.
     */
    public static final String VMI_LEGACY = "kubevirt.io/virtualMachineControllerFinalize";
    /**
     * On every launcher pod virt-controller creates; the node agent the pod is bound to removes it after teardown,
     * virt-controller when no node agent will (the pod was never bound, or its Node no longer exists).
     */
    public static final String LAUNCHER_POD = "jvirt.io/launcher-teardown";

    private Finalizers() {}
}
