package io.jvirt.handler;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** Test helper: polls until a condition holds or fails with a description after the timeout. */
public final class Waits {
    private Waits() {}

    public static <T> T until(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = probe.get();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
