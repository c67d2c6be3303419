package io.jvirt.apiserver.subresources;

import io.jvirt.apiserver.subresources.VmChange.Accepted;
import io.jvirt.apiserver.subresources.VmChange.Rejected;
import io.jvirt.apiserver.subresources.VmChange.Request;
import io.jvirt.apiserver.subresources.VmFacts.VmiPresence;
import java.util.List;
import java.util.Map;

/**
 * KubeVirt's start/stop/restart rules per run strategy, as the VM controller expects them: a
 * strategy change for Halted/Always/RerunOnFailure/Once, Start/Stop state-change requests for
 * Manual and RerunOnFailure, a Stop naming the current VMI followed by a Start for restart. Pure.
 *
 * <ul>
 *   <li>start: an unfinished VMI → 409 "VM is already running"; Halted → Always; Always/Once → 409
 *       "&lt;strategy&gt; does not support manual start requests"; Manual/RerunOnFailure → Start (after
 *       a Stop of a finished VMI so it is replaced).</li>
 *   <li>stop: no unfinished VMI under Halted or Manual → 409 "VM is not running"; Manual and Halted →
 *       Stop of the current VMI; Always/RerunOnFailure/Once → Halted.</li>
 *   <li>restart: Halted → 409 "RunStategy Halted does not support manual restart requests" (KubeVirt's
 *       spelling); Once → 409 "Once does not support manual restart requests"; no VMI → 409 "VM is not
 *       running"; else Stop of the current VMI, then Start.</li>
 * </ul>
 */
public final class VmLifecycle {
    public static final String ALREADY_RUNNING = "VM is already running";
    public static final String NOT_RUNNING = "VM is not running";
    public static final String HALTED_RESTART = "RunStategy Halted does not support manual restart requests";

    private VmLifecycle() {}

    /** The change {@code action} makes to a VM in state {@code vm}; {@code startPaused} only matters to start. */
    public static VmChange decide(VmAction action, VmFacts vm, boolean startPaused) {
        return switch (action) {
            case START -> start(vm, startPaused);
            case STOP -> stop(vm);
            case RESTART -> restart(vm);
        };
    }

    private static VmChange start(VmFacts vm, boolean paused) {
        if (vm.vmi() == VmiPresence.ACTIVE) return conflict(ALREADY_RUNNING);
        Request start = new Request("Start", paused ? Map.of("startPaused", "true") : Map.of(), null);
        return switch (vm.runStrategy()) {
            case "Halted" -> new Accepted("Always", paused ? List.of(start) : List.of());
            case "Always", "Once" -> conflict(vm.runStrategy() + " does not support manual start requests");
            case "Manual", "RerunOnFailure" -> vm.vmi().finished()
                    ? new Accepted(null, List.of(stopOf(vm), start))
                    : new Accepted(null, List.of(start));
            default -> new Rejected(400, "Invalid RunStrategy (" + vm.runStrategy() + ")");
        };
    }

    private static VmChange stop(VmFacts vm) {
        return switch (vm.runStrategy()) {
            case "Halted", "Manual" -> vm.vmi() == VmiPresence.ACTIVE
                    ? new Accepted(null, List.of(stopOf(vm)))
                    : conflict(NOT_RUNNING);
            case "Always", "RerunOnFailure", "Once" -> new Accepted("Halted", List.of());
            default -> new Rejected(400, "Invalid RunStrategy (" + vm.runStrategy() + ")");
        };
    }

    private static VmChange restart(VmFacts vm) {
        return switch (vm.runStrategy()) {
            case "Halted" -> conflict(HALTED_RESTART);
            case "Once" -> conflict("Once does not support manual restart requests");
            case "Always", "Manual", "RerunOnFailure" -> vm.vmi() == VmiPresence.NONE
                    ? conflict(NOT_RUNNING)
                    : new Accepted(null, List.of(stopOf(vm), new Request("Start", Map.of(), null)));
            default -> new Rejected(400, "Invalid RunStrategy (" + vm.runStrategy() + ")");
        };
    }

    private static Request stopOf(VmFacts vm) {
        return new Request("Stop", Map.of(), vm.vmiUid());
    }

    private static Rejected conflict(String message) {
        return new Rejected(409, message);
    }
}
