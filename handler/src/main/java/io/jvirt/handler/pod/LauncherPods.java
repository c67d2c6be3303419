package io.jvirt.handler.pod;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the pod runner asks of the VMI side for launcher pods. Calls for one pod never overlap; calls
 * for different pods may.
 */
public interface LauncherPods {
    /**
     * Checks, before anything is started for the pod, that its owner VMI exists with the uid the pod
     * names and names this pod (not another launcher pod).
     *
     * @throws PodRefusedException when the node must not run it (the pod is marked Failed with the reason)
     */
    void verify(Pod pod, LauncherOwner owner) throws PodRefusedException;

    /**
     * Prepares the VMI (disks in {@code paths.diskDirectory()}, cloud-init ISOs and the rest in
     * {@code paths.runDirectory()}) and returns the argv of the pod's one process (QEMU, started as its
     * unprivileged user): built by the node agent from the VMI, never taken from the pod.
     */
    List<String> prepare(Pod pod, LauncherOwner owner, PodPlan plan, PodPaths paths) throws Exception;

    /**
     * Wires the VMI's interfaces in the pod's sandbox (its namespace has {@code eth0} on the pod network), after
     * {@link #prepare} and before the pod's process starts. Returns the open descriptors the process inherits: its
     * number for each (the {@code fd=} of QEMU's argv) → the tap opened here; the pod runner closes them once the
     * process has started (or failed to). What it makes lives in the pod's namespace and cgroup and goes with them.
     */
    default java.util.Map<Integer, io.jvirt.network.TapDevice> plug(Pod pod, LauncherOwner owner, PodPaths paths, PodSandbox sandbox)
            throws Exception {
        return java.util.Map.of();
    }

    /** The pod's process runs (just started or re-adopted). Idempotent; called on every reconcile. */
    void running(Pod pod, LauncherOwner owner, PodPaths paths);

    /** The pod's process ended with {@code exitCode} (empty when unknown). Idempotent. */
    void ended(Pod pod, LauncherOwner owner, PodPaths paths, OptionalInt exitCode);

    /** The pod is gone from the API and its processes are stopped. */
    void gone(String podUid);

    /**
     * Stops the VM of pod {@code podUid} gracefully (its guest gets the ACPI power button) and returns once
     * its process has ended, or after {@code grace} (KubeVirt's {@code stop --grace-period}, the VMI's current
     * {@code terminationGracePeriodSeconds}, counts when shorter); the pod runner kills whatever is left.
     */
    default void stop(String podUid, PodPaths paths, Duration grace) throws InterruptedException {
    }
}
