package io.jvirt.handler.pod;

import java.time.Duration;
import java.util.Optional;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * What the pod runner asks of the VMI side for launcher pods ({@link PodPlan#isLauncher()}).
 * Calls for one pod never overlap; calls for different pods may.
 */
public interface LauncherPods {
    /** Prepares the VMI (disks, launch request) and returns the argv that runs its launcher. */
    List<String> prepare(Pod pod, PodPlan plan, Path podDir) throws Exception;

    /**
     * The argv of a standby launcher ({@link LauncherStandby}) that will run as pod {@code standbyUid} until
     * claimed; empty when this node keeps none.
     */
    default List<String> standbyCommand(String standbyUid) {
        return List.of();
    }

    /** The launcher process runs (just started or re-adopted). Idempotent; called on every reconcile. */
    void running(Pod pod, PodPlan plan, Path podDir);

    /** The launcher process ended with {@code exitCode} (empty when unknown). Idempotent. */
    void ended(Pod pod, PodPlan plan, Path podDir, OptionalInt exitCode);

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

    /** For nodes without a VMI side: launcher pods fail with this reason. */
    LauncherPods NONE = new LauncherPods() {
        public List<String> prepare(Pod pod, PodPlan plan, Path podDir) {
            throw new IllegalStateException("this node agent runs no launchers");
        }

        public void running(Pod pod, PodPlan plan, Path podDir) {}

        public void ended(Pod pod, PodPlan plan, Path podDir, OptionalInt exitCode) {}

        public void gone(String podUid) {}
    };
}
