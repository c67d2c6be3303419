package io.jvirt.store;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link WatchListener} that queues what it receives, with timed takes for tests. */
final class RecordingListener implements WatchListener {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<WatchEnd> end = new CompletableFuture<>();

    @Override
    public void onEvent(WatchEvent event) {
        events.add(event);
    }

    @Override
    public void onEnd(WatchEnd reason) {
        end.complete(reason);
    }

    /** The next event; fails the test if none comes within {@link #TIMEOUT}. */
    WatchEvent next() throws InterruptedException {
        WatchEvent event = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(event, "no watch event within " + TIMEOUT);
        return event;
    }

    List<WatchEvent> next(int count) throws InterruptedException {
        List<WatchEvent> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            taken.add(next());
        }
        return taken;
    }

    /** The next event if one comes within {@code millis}, else {@code null}. */
    WatchEvent poll(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    WatchEnd awaitEnd() throws InterruptedException, ExecutionException, TimeoutException {
        return end.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean ended() {
        return end.isDone();
    }
}
