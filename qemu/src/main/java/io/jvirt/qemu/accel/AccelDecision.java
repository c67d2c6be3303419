package io.jvirt.qemu.accel;

import io.jvirt.qemu.Accel;
import java.util.Objects;

/**
 * Which accelerator to run guests with, and why — the "why" is meant for humans (a VMI condition
 * message, a log line).
 */
public record AccelDecision(Accel accel, String reason) {
    public AccelDecision {
        Objects.requireNonNull(accel, "accel");
        Objects.requireNonNull(reason, "reason");
    }

    /** True when guests run under software emulation (KubeVirt's {@code SoftwareEmulation} condition). */
    public boolean softwareEmulation() {
        return accel == Accel.TCG;
    }

    /** TCG because the configuration demands it (KubeVirt's {@code developerConfiguration.useEmulation}). */
    public static AccelDecision forcedTcg(String why) {
        return new AccelDecision(Accel.TCG, "software emulation forced: " + why);
    }
}
