package io.jvirt.controller.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ControllerLoopTest {
    @Test
    void aKeyThatAlwaysFailsIsRetriedWithBackoffToldToTheListenerAndDoesNotHoldUpOtherKeys() throws Exception {
        Key bad = new Key("ns", "bad");
        List<Integer> told = new CopyOnWriteArrayList<>();
        List<String> messages = new CopyOnWriteArrayList<>();
        CountDownLatch others = new CountDownLatch(20);
        CountDownLatch thirdFailure = new CountDownLatch(1);
        Reconciler reconciler = key -> {
            if (key.equals(bad)) throw new IllegalArgumentException("quantity 'x' is not valid");
            others.countDown();
            return Outcome.DONE;
        };
        WorkQueue queue = new WorkQueue("test", new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40)));
        try (ControllerLoop loop = new ControllerLoop("test", queue, reconciler, 1, (key, e, failures) -> {
            assertEquals(bad, key);
            told.add(failures);
            messages.add(e.getMessage());
            if (failures >= 3) thirdFailure.countDown();
        }).start()) {
            queue.add(bad);
            for (int i = 0; i < 20; i++) queue.add(new Key("ns", "good-" + i));
            assertTrue(others.await(30, TimeUnit.SECONDS), "the other keys were reconciled");
            assertTrue(thirdFailure.await(30, TimeUnit.SECONDS), "the bad key was retried");
        }
        assertEquals(List.of(1, 2, 3), told.subList(0, 3), "each failure in a row is counted");
        assertEquals("quantity 'x' is not valid", messages.getFirst());
    }
}
