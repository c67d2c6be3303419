package io.jvirt.controller.vm;

import io.jvirt.api.v1.FailureReason;

/** {@code status.printableStatus} of a VM, as KubeVirt shows it in {@code kubectl get vm}. Pure. */
public final class PrintableStatus {
    public static final String STOPPED = "Stopped";
    public static final String PROVISIONING = "Provisioning";
    public static final String STARTING = "Starting";
    public static final String RUNNING = "Running";
    public static final String PAUSED = "Paused";
    public static final String STOPPING = "Stopping";
    public static final String TERMINATING = "Terminating";
    public static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";
    public static final String UNKNOWN = "Unknown";
    public static final String ERROR_UNSCHEDULABLE = "ErrorUnschedulable";
    public static final String ERR_IMAGE_PULL = FailureReason.ERR_IMAGE_PULL.reason();
    public static final String IMAGE_PULL_BACK_OFF = FailureReason.IMAGE_PULL_BACK_OFF.reason();

    private PrintableStatus() {}

    public static String of(VmView v) {
        if (v.vmDeleting()) return TERMINATING;
        if (v.vmi() == VmiState.NONE) {
            if (v.backoffActive() || v.action() == Decision.Action.WAIT_BACKOFF) return CRASH_LOOP_BACK_OFF;
            return v.action() == Decision.Action.CREATE_VMI ? STARTING : STOPPED;
        }
        if (v.vmi() == VmiState.TERMINATING) return v.backoffActive() ? CRASH_LOOP_BACK_OFF : STOPPING; // a crashed VMI being cleared
        if (v.vmi() == VmiState.ACTIVE && v.action() == Decision.Action.DELETE_VMI) return STOPPING;
        String phase = v.vmiPhase() == null ? "" : v.vmiPhase();
        return switch (phase) {
            case "", "Pending", "Scheduling" -> v.unschedulable() ? ERROR_UNSCHEDULABLE : v.provisioning() ? PROVISIONING : STARTING;
            case "Scheduled" -> v.pullFailure() != null ? v.pullFailure() : STARTING;
            case "Running" -> v.paused() ? PAUSED : RUNNING;
            case "Succeeded" -> STOPPED;
            case "Failed" -> v.backoffActive() ? CRASH_LOOP_BACK_OFF : STOPPED;
            default -> UNKNOWN;
        };
    }
}
