package io.jvirt.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/** Polls until a probe gives a value (not null, not false) or fails naming what it waited for. */
final class Waits {
    private Waits() {
    }

    static <T> T until(String what, Duration timeout, Callable<T> probe) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = probe.call();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
