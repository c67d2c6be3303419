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
     * Prepares the VMI (disks in {@code paths.diskDirectory()}, the launch request in {@code paths.podDir()})
     * and returns the argv of its launcher: built by the node agent, never taken from the pod.
     */
    List<String> prepare(Pod pod, LauncherOwner owner, PodPlan plan, PodPaths paths) throws Exception;

    /**
     * The argv of a standby launcher ({@link LauncherStandby}) that will run with run directory
     * {@code runDirectory} until claimed; empty when this node keeps none.
     */
    default List<String> standbyCommand(java.nio.file.Path runDirectory) {
        return List.of();
    }

    /** The launcher process runs (just started or re-adopted). Idempotent; called on every reconcile. */
    void running(Pod pod, LauncherOwner owner, PodPaths paths);

    /** The launcher process ended with {@code exitCode} (empty when unknown). Idempotent. */
    void ended(Pod pod, LauncherOwner owner, PodPaths paths, OptionalInt exitCode);

    /** The pod is gone from the API and its processes are stopped. */
    void gone(String podUid);

    /**
     * A grace period shorter than the pod's own for stopping the launcher of {@code podUid}, when one was
     * asked for after it started (KubeVirt's {@code stop --grace-period}: the VMI's current
     * {@code terminationGracePeriodSeconds}). Empty: the pod's own applies.
     */
    default Optional<Duration> stopGrace(String podUid) {
        return Optional.empty();
    }
}
