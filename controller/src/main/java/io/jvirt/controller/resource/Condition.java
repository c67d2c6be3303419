package io.jvirt.controller.resource;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A status condition of a VM or replica set (same shape as KubeVirt's VM and VMIRS conditions).
 *
 * @param status True, False or Unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Condition(
        String type,
        String status,
        String reason,
        String message,
        String lastProbeTime,
        String lastTransitionTime) {

    public static Condition of(String type, boolean status, String reason, String message, String now) {
        return new Condition(type, status ? "True" : "False", reason, message, null, now);
    }

    public boolean isTrue() {
        return "True".equals(status);
    }

    /** The same condition, keeping {@code previous}'s transition time when the status did not change. */
    public Condition since(Condition previous) {
        if (previous == null || !previous.status().equals(status)) return this;
        return new Condition(type, status, reason, message, lastProbeTime, previous.lastTransitionTime());
    }
}
