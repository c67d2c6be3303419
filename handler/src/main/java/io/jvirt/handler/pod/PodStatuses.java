package io.jvirt.handler.pod;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.List;
import java.util.OptionalInt;

/**
 * The Pod statuses the node agent writes, as kubelet would (pure). Exit status unknown (the
 * process vanished without its wrapper recording it) is kubelet's {@code ContainerStatusUnknown}
 * with exit code 137.
 */
public final class PodStatuses {
    public static final String HOST_IP = "127.0.0.1";

    private PodStatuses() {}

    /** Running, with {@code podIps} (the pod network's addresses of its {@code eth0}; none: loopback only) as kubelet reports them. */
    public static PodStatus running(String image, String startedAt, List<String> podIps) {
        ContainerStatus cs = new ContainerStatusBuilder().withName(PodPlan.CONTAINER).withImage(image).withImageID("")
                .withContainerID("jvirt://" + startedAt).withReady(true).withStarted(true).withRestartCount(0)
                .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(startedAt).endRunning().build()).build();
        PodStatusBuilder status = new PodStatusBuilder().withPhase("Running").withHostIP(HOST_IP).withStartTime(startedAt)
                .withConditions(conditions("True", startedAt)).withContainerStatuses(cs);
        if (!podIps.isEmpty()) {
            status.withPodIP(podIps.getFirst()).withPodIPs(podIps.stream().map(ip -> new io.fabric8.kubernetes.api.model.PodIP(ip)).toList());
        }
        return status.build();
    }

    /**
     * Succeeded for exit code 0, Failed otherwise; a failed container's message is the last line of its log
     * (kubelet's {@code FallbackToLogsOnError}), so {@code kubectl describe} and the VMI's events say why.
     */
    public static PodStatus terminated(String image, String startedAt, String finishedAt, OptionalInt exitCode, String lastLogLine) {
        int code = exitCode.orElse(137);
        String reason = exitCode.isEmpty() ? "ContainerStatusUnknown" : code == 0 ? "Completed" : "Error";
        String message = exitCode.isEmpty() ? "the process ended without recording its exit status" : code == 0 ? null : lastLogLine;
        ContainerStatus cs = new ContainerStatusBuilder().withName(PodPlan.CONTAINER).withImage(image).withImageID("")
                .withReady(false).withStarted(false).withRestartCount(0)
                .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(code).withReason(reason).withMessage(message)
                        .withStartedAt(startedAt).withFinishedAt(finishedAt).endTerminated().build()).build();
        return new PodStatusBuilder().withPhase(code == 0 ? "Succeeded" : "Failed").withHostIP(HOST_IP).withStartTime(startedAt)
                .withConditions(conditions("False", finishedAt)).withContainerStatuses(cs).build();
    }

    /** The pod was refused: it is not a launcher pod this node runs (no container state: nothing was made for it). */
    public static PodStatus failedToStart(String reason, String message, String at) {
        return new PodStatusBuilder().withPhase("Failed").withReason(reason).withMessage(message).withHostIP(HOST_IP)
                .withConditions(conditions("False", at)).build();
    }

    /**
     * The pod's VMI could not be started and never will be: Failed, and its {@code compute} container terminated with
     * {@code reason} (a {@link io.jvirt.api.v1.FailureReason}), exit code 128 and the node's message, as kubelet
     * reports a container that could not start.
     */
    public static PodStatus failedToStart(String reason, String message, String image, String at) {
        ContainerStatus cs = new ContainerStatusBuilder().withName(PodPlan.CONTAINER).withImage(image).withImageID("")
                .withReady(false).withStarted(false).withRestartCount(0)
                .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(128).withReason(reason).withMessage(message)
                        .withStartedAt(at).withFinishedAt(at).endTerminated().build()).build();
        return new PodStatusBuilder(failedToStart(reason, message, at)).withContainerStatuses(cs).build();
    }

    /**
     * The pod's VMI could not be started yet and the node will try again (an image pull): Pending, its {@code compute}
     * container waiting with {@code reason} and the node's message, as kubelet reports {@code ErrImagePull}.
     */
    public static PodStatus waiting(String image, String reason, String message, String at) {
        ContainerStatus cs = new ContainerStatusBuilder().withName(PodPlan.CONTAINER).withImage(image).withImageID("")
                .withReady(false).withStarted(false).withRestartCount(0)
                .withState(new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build()).build();
        return new PodStatusBuilder().withPhase("Pending").withHostIP(HOST_IP).withConditions(conditions("False", at))
                .withContainerStatuses(cs).build();
    }

    private static List<PodCondition> conditions(String ready, String at) {
        return List.of(
                new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(at).build(),
                new PodConditionBuilder().withType("Initialized").withStatus("True").withLastTransitionTime(at).build(),
                new PodConditionBuilder().withType("ContainersReady").withStatus(ready).withLastTransitionTime(at).build(),
                new PodConditionBuilder().withType("Ready").withStatus(ready).withLastTransitionTime(at).build());
    }
}
