package io.jvirt.controller.vm;

import io.jvirt.controller.resource.StateChangeRequest;
import java.util.List;

/**
 * What the VM controller does next, decided from the run strategy, the VMI's state and the pending
 * {@code status.stateChangeRequests} (oldest first). Requests come before the strategy: a Stop deletes
 * the VMI it names (a Stop naming another UID is stale and dropped), a Start creates a VMI once the old
 * one is gone (ignored under Halted). Then the strategy: Always keeps a VMI running and replaces a
 * finished one; RerunOnFailure replaces only a failed one; Once and Manual leave a finished VMI
 * alone; Halted deletes any VMI.
 *
 * @param action the step to take now
 * @param consumesRequest whether the first state-change request is done once {@code action} succeeded
 */
public record Decision(Action action, boolean consumesRequest) {
    public enum Action {
        NOTHING, CREATE_VMI, DELETE_VMI,
        /** A VMI should be created but the crash-loop backoff has not passed. */
        WAIT_BACKOFF
    }

    public static Decision decide(RunStrategy strategy, VmiState vmi, String vmiUid, List<StateChangeRequest> requests,
                                  boolean backoffActive) {
        if (requests != null && !requests.isEmpty()) {
            StateChangeRequest first = requests.getFirst();
            if (first.isStop()) return stop(first, vmi, vmiUid);
            if (first.isStart()) return start(strategy, vmi, backoffActive);
            return new Decision(Action.NOTHING, true);
        }
        return switch (strategy) {
            case ALWAYS -> switch (vmi) {
                case NONE -> create(backoffActive, false);
                case SUCCEEDED, FAILED -> new Decision(Action.DELETE_VMI, false);
                case ACTIVE, TERMINATING -> nothing();
            };
            case RERUN_ON_FAILURE -> switch (vmi) {
                case NONE -> create(backoffActive, false);
                case FAILED -> new Decision(Action.DELETE_VMI, false);
                case SUCCEEDED, ACTIVE, TERMINATING -> nothing();
            };
            case ONCE -> vmi == VmiState.NONE ? create(false, false) : nothing();
            case MANUAL -> nothing();
            case HALTED -> vmi == VmiState.NONE || vmi == VmiState.TERMINATING ? nothing() : new Decision(Action.DELETE_VMI, false);
        };
    }

    private static Decision stop(StateChangeRequest stop, VmiState vmi, String vmiUid) {
        String target = stop.uid() != null ? stop.uid() : stop.data() == null ? null : stop.data().get("uid");
        boolean stale = target != null && vmiUid != null && !target.equals(vmiUid);
        return switch (vmi) {
            case NONE -> new Decision(Action.NOTHING, true);
            case TERMINATING -> nothing();
            case ACTIVE, SUCCEEDED, FAILED -> stale ? new Decision(Action.NOTHING, true) : new Decision(Action.DELETE_VMI, false);
        };
    }

    private static Decision start(RunStrategy strategy, VmiState vmi, boolean backoffActive) {
        if (strategy == RunStrategy.HALTED) return new Decision(Action.NOTHING, true);
        return switch (vmi) {
            case NONE -> create(backoffActive, true);
            case ACTIVE -> new Decision(Action.NOTHING, true);
            case TERMINATING -> nothing();
            case SUCCEEDED, FAILED -> new Decision(Action.DELETE_VMI, false);
        };
    }

    private static Decision create(boolean backoffActive, boolean consumes) {
        return backoffActive ? new Decision(Action.WAIT_BACKOFF, false) : new Decision(Action.CREATE_VMI, consumes);
    }

    private static Decision nothing() {
        return new Decision(Action.NOTHING, false);
    }
}
