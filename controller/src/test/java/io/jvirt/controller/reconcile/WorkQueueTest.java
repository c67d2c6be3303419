package io.jvirt.controller.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkQueueTest {
    static final Key A = new Key("ns", "a");
    static final Key B = new Key("ns", "b");

    @ParameterizedTest(name = "retry #{0} after {1} ms")
    @CsvSource({"1,50", "2,100", "3,200", "10,25600", "11,30000", "40,30000"})
    void retryDelaysDoubleUpToTheCap(int failures, long millis) {
        assertEquals(Duration.ofMillis(millis), RetryBackoff.DEFAULT.delay(failures));
    }

    @Test
    void aKeyIsQueuedOnceAndNeverHandedOutTwiceAtOnce() throws Exception {
        try (WorkQueue q = new WorkQueue("t", RetryBackoff.DEFAULT)) {
            q.add(A);
            q.add(A);
            q.add(B);
            assertEquals(2, q.size());
            assertEquals(Optional.of(A), q.take());
            q.add(A); // changed while being processed
            assertEquals(1, q.size(), "A waits until done");
            assertEquals(Optional.of(B), q.take());
            q.done(B);
            q.done(A);
            assertEquals(Optional.of(A), q.take(), "A comes back once done");
            q.done(A);
            assertEquals(0, q.size());
        }
    }

    @Test
    void failedKeysComeBackAfterTheirBackoff() throws Exception {
        try (WorkQueue q = new WorkQueue("t", new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)))) {
            long start = System.nanoTime();
            assertEquals(Duration.ofMillis(100), q.retry(A));
            assertEquals(Optional.of(A), q.take());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 90, "came back after " + waited + " ms");
            q.done(A);
            assertEquals(Duration.ofMillis(200), q.retry(A), "second failure waits longer");
            q.forget(A);
            assertEquals(Duration.ofMillis(100), q.retry(A), "forget resets the count");
        }
    }

    @Test
    void closeReleasesWaitingWorkers() throws Exception {
        WorkQueue q = new WorkQueue("t", RetryBackoff.DEFAULT);
        Thread t = new Thread(() -> {
            try {
                assertEquals(Optional.empty(), q.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        Thread.sleep(50);
        q.close();
        t.join(2000);
        assertTrue(!t.isAlive());
    }
}
