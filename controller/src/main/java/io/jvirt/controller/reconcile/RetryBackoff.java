package io.jvirt.controller.reconcile;

import java.time.Duration;

/**
 * Per-item exponential retry delay: {@code base × 2^(failures-1)}, capped at {@code max}.
 *
 * @param base delay after the first failure
 * @param max the longest delay
 */
public record RetryBackoff(Duration base, Duration max) {
    public static final RetryBackoff DEFAULT = new RetryBackoff(Duration.ofMillis(50), Duration.ofSeconds(30));

    /** The delay before retry number {@code failures} (1 = first retry). */
    public Duration delay(int failures) {
        if (failures <= 1) return base;
        int shift = Math.min(failures - 1, 30);
        long millis = base.toMillis() << shift;
        if (millis <= 0 || millis > max.toMillis()) return max;
        return Duration.ofMillis(millis);
    }
}
