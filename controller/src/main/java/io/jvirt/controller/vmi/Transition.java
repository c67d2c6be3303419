package io.jvirt.controller.vmi;

import java.util.Set;

/**
 * The pre-node part of a VMI's life (pure): (unset) → Pending (accepted) → Scheduling (pod created) → Scheduled (pod
 * bound) — from there the node agent reports Running/Succeeded/Failed — and Failed when the launcher
 * pod vanishes or ends before the VMI ran (with the node's {@link io.jvirt.api.v1.FailureReason} when it gave one).
 * The pod of a finished VMI is kept, ended, until the VMI is deleted.
 *
 * @param phase the VMI phase to write
 * @param reason why, for a Failed phase (else null)
 * @param createPod the launcher pod must be created
 * @param deletePod the launcher pod must be deleted
 */
public record Transition(String phase, String reason, boolean createPod, boolean deletePod) {
    private static final Set<String> BEFORE_POD = Set.of("", "Pending");
    private static final Set<String> BEFORE_NODE = Set.of("", "Pending", "Scheduling");
    private static final Set<String> FINAL = Set.of("Succeeded", "Failed");

    /**
     * @param phase the VMI's current phase ({@code null} = unset)
     * @param vmiDeleting the VMI has a deletionTimestamp
     * @param pod the launcher pod, {@code null} if there is none
     */
    public static Transition decide(String phase, boolean vmiDeleting, PodView pod) {
        String p = phase == null ? "" : phase;
        boolean podLive = pod != null && !pod.deleting();
        if (vmiDeleting) return new Transition(p.isEmpty() ? "Pending" : p, null, false, podLive);
        boolean podEnded = pod != null && ("Failed".equals(pod.phase()) || "Succeeded".equals(pod.phase()));
        // an ended pod stays until the VMI goes, with its final status and log; a finished VMI's live pod is stopped
        if (FINAL.contains(p)) return new Transition(p, null, false, podLive && !podEnded);
        if (pod == null) {
            if (p.isEmpty()) return new Transition("Pending", null, false, false);
            if (BEFORE_POD.contains(p)) return new Transition("Scheduling", null, true, false);
            return new Transition("Failed", "PodVanished", false, false);
        }
        if (pod.deleting() && !"Running".equals(p)) return new Transition("Failed", "PodTerminating", false, false);
        if (podEnded && !"Running".equals(p)) {
            return new Transition("Failed", pod.failureReason() != null ? pod.failureReason() : "PodEnded", false, false);
        }
        if (pod.nodeName() == null || pod.nodeName().isEmpty()) {
            return new Transition(BEFORE_NODE.contains(p) ? "Scheduling" : p, null, false, false);
        }
        if (BEFORE_NODE.contains(p)) return new Transition("Scheduled", null, false, false);
        return new Transition(p, null, false, false);
    }
}
