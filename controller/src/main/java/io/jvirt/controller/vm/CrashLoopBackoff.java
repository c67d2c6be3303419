package io.jvirt.controller.vm;

import io.jvirt.controller.resource.StartFailure;
import java.time.Duration;
import java.time.Instant;

/**
 * Crash-loop tracking of a VM ({@code status.startFailure}): every failed VMI counts once; the n-th
 * consecutive failure delays the next VMI by {@code base × 2^(n-1)}, at most {@code max}. A VMI that
 * stays Running for {@code stableRun} clears the record.
 */
public record CrashLoopBackoff(Duration base, Duration max, Duration stableRun) {
    public static final CrashLoopBackoff DEFAULT = new CrashLoopBackoff(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(1));

    public Duration delay(int consecutiveFailures) {
        if (consecutiveFailures <= 0) return Duration.ZERO;
        long factor = 1L << Math.min(consecutiveFailures - 1, 20);
        Duration d = base.multipliedBy(factor);
        return d.compareTo(max) > 0 ? max : d;
    }

    /** The record after the VMI {@code failedUid} was seen Failed at {@code now}; unchanged if already counted. */
    public StartFailure recordFailure(StartFailure previous, String failedUid, Instant now) {
        if (previous != null && failedUid.equals(previous.lastFailedVMIUID())) return previous;
        int count = previous == null || previous.consecutiveFailCount() == null ? 1 : previous.consecutiveFailCount() + 1;
        return new StartFailure(failedUid, now.plus(delay(count)).toString(), count);
    }

    /** Whether {@code failure} still forbids creating a VMI at {@code now}. */
    public static boolean active(StartFailure failure, Instant now) {
        if (failure == null || failure.retryAfterTimestamp() == null) return false;
        return Instant.parse(failure.retryAfterTimestamp()).isAfter(now);
    }

    /** Time left until {@code failure} allows a new VMI (zero if it already does). */
    public static Duration remaining(StartFailure failure, Instant now) {
        if (!active(failure, now)) return Duration.ZERO;
        return Duration.between(now, Instant.parse(failure.retryAfterTimestamp()));
    }

    /** Whether a VMI Running since {@code runningSince} has run long enough to clear the record. */
    public boolean ranStably(Instant runningSince, Instant now) {
        return runningSince != null && !runningSince.plus(stableRun).isAfter(now);
    }
}
