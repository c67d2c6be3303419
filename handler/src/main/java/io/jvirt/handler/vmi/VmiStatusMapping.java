package io.jvirt.handler.vmi;

import io.jvirt.converter.DomainState;

/**
 * From a domain state (the supervisor's) to the VMI's phase and Ready/Paused conditions (pure).
 *
 * @param phase VMI {@code status.phase}, or null to keep the current one
 * @param ready Ready condition status
 * @param readyReason its reason when not ready
 * @param paused whether the Paused condition is present (True)
 * @param finalPhase true for Succeeded/Failed
 */
public record VmiStatusMapping(String phase, boolean ready, String readyReason, boolean paused, boolean finalPhase) {
    public static VmiStatusMapping of(DomainState domainState) {
        return switch (domainState) {
            case DEFINED, STARTING -> new VmiStatusMapping("Scheduled", false, "DomainNotRunning", false, false);
            case RUNNING, SHUTTING_DOWN -> new VmiStatusMapping("Running", true, null, false, false);
            case PAUSED -> new VmiStatusMapping("Running", false, "Paused", true, false);
            case SHUTOFF -> new VmiStatusMapping("Succeeded", false, "DomainShutOff", false, true);
            case CRASHED -> new VmiStatusMapping("Failed", false, "DomainCrashed", false, true);
        };
    }
}
