package io.jvirt.controller.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.controller.resource.StartFailure;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CrashLoopBackoffTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @ParameterizedTest(name = "failure #{0} waits {1} s")
    @CsvSource({"0,0", "1,10", "2,20", "3,40", "4,80", "5,160", "6,300", "7,300", "60,300"})
    void delayDoublesUpToTheCap(int failures, long seconds) {
        assertEquals(Duration.ofSeconds(seconds), CrashLoopBackoff.DEFAULT.delay(failures));
    }

    @Test
    void eachFailedVmiCountsOnceAndTheDelayGrows() {
        CrashLoopBackoff b = CrashLoopBackoff.DEFAULT;
        StartFailure first = b.recordFailure(null, "a", T0);
        assertEquals(new StartFailure("a", "2026-01-01T00:00:10Z", 1), first);
        assertSame(first, b.recordFailure(first, "a", T0.plusSeconds(30)), "the same VMI is not counted twice");
        StartFailure second = b.recordFailure(first, "b", T0.plusSeconds(30));
        assertEquals(new StartFailure("b", "2026-01-01T00:00:50Z", 2), second);
        assertTrue(CrashLoopBackoff.active(second, T0.plusSeconds(49)));
        assertFalse(CrashLoopBackoff.active(second, T0.plusSeconds(50)));
        assertEquals(Duration.ofSeconds(5), CrashLoopBackoff.remaining(second, T0.plusSeconds(45)));
        assertEquals(Duration.ZERO, CrashLoopBackoff.remaining(second, T0.plusSeconds(60)));
        assertFalse(CrashLoopBackoff.active(null, T0));
    }

    @ParameterizedTest(name = "running since +{0}s, now +{1}s -> stable {2}")
    @CsvSource({"0,59,false", "0,60,true", "10,100,true", "100,10,false"})
    void aStableRunClearsTheRecord(long since, long now, boolean stable) {
        assertEquals(stable, CrashLoopBackoff.DEFAULT.ranStably(T0.plusSeconds(since), T0.plusSeconds(now)));
    }
}
