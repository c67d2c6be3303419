package io.jvirt.controller.reconcile;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A de-duplicating work queue: a key added while queued is queued once; a key added while being
 * processed is processed again after {@link #done}. So one key is never handled by two workers at
 * once, and no change is lost. Failed keys come back after {@link RetryBackoff} delays.
 * Thread-safe.
 */
public final class WorkQueue implements AutoCloseable {
    private final ArrayDeque<Key> queue = new ArrayDeque<>();
    private final Set<Key> dirty = new HashSet<>();
    private final Set<Key> processing = new HashSet<>();
    private final Map<Key, Integer> failures = new HashMap<>();
    private final RetryBackoff backoff;
    private final ScheduledExecutorService timer;
    private boolean closed;

    public WorkQueue(String name, RetryBackoff backoff) {
        this.backoff = backoff;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-timer");
            t.setDaemon(true);
            return t;
        });
    }

    public synchronized void add(Key key) {
        if (closed || !dirty.add(key)) return;
        if (processing.contains(key)) return;
        queue.add(key);
        notifyAll();
    }

    public void addAfter(Key key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        synchronized (this) {
            if (closed) return;
        }
        timer.schedule(() -> add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Re-adds {@code key} after its next backoff delay; returns that delay. */
    public Duration retry(Key key) {
        int n;
        synchronized (this) {
            n = failures.merge(key, 1, Integer::sum);
        }
        Duration d = backoff.delay(n);
        addAfter(key, d);
        return d;
    }

    /** How many times in a row {@code key} failed (0 after a success). */
    public synchronized int failures(Key key) {
        return failures.getOrDefault(key, 0);
    }

    /** Clears the failure count of {@code key} (after a successful reconcile). */
    public synchronized void forget(Key key) {
        failures.remove(key);
    }

    /** Blocks for the next key; empty once closed. The caller must call {@link #done} with it. */
    public synchronized Optional<Key> take() throws InterruptedException {
        while (queue.isEmpty() && !closed) wait();
        if (closed) return Optional.empty();
        Key k = queue.poll();
        processing.add(k);
        dirty.remove(k);
        return Optional.of(k);
    }

    public synchronized void done(Key key) {
        processing.remove(key);
        if (dirty.contains(key) && !closed) {
            queue.add(key);
            notifyAll();
        }
    }

    public synchronized int size() {
        return queue.size();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        timer.shutdownNow();
    }
}
