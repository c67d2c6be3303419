package io.jvirt.controller.reconcile;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one {@link Reconciler} over one {@link WorkQueue} on {@code workers} threads (the queue hands a
 * key to one worker at a time, so a reconciler never sees the same key concurrently). A reconcile that
 * throws is retried with that key's backoff while the other keys go on (409 Conflicts and 404s quietly,
 * others logged and told to the {@link FailureListener}: the wiring records an event on the object);
 * {@link Outcome.RequeueAfter} schedules another look. {@link #close} stops the worker and the queue.
 */
public final class ControllerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControllerLoop.class.getName());

    /** Hears of a failed reconcile (not a 409/404): the key, what went wrong, and how many times in a row it failed. */
    @FunctionalInterface
    public interface FailureListener {
        void failed(Key key, Exception e, int failures);

        FailureListener NONE = (key, e, failures) -> { };
    }

    private final String name;
    private final WorkQueue queue;
    private final Reconciler reconciler;
    private final FailureListener failures;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closing;

    public ControllerLoop(String name, WorkQueue queue, Reconciler reconciler, int workers) {
        this(name, queue, reconciler, workers, FailureListener.NONE);
    }

    public ControllerLoop(String name, WorkQueue queue, Reconciler reconciler, int workers, FailureListener failures) {
        this.name = name;
        this.queue = queue;
        this.reconciler = reconciler;
        this.failures = failures;
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::run, name + "-" + i);
            t.setDaemon(true);
            this.workers.add(t);
        }
    }

    public ControllerLoop start() {
        workers.forEach(Thread::start);
        return this;
    }

    public WorkQueue queue() {
        return queue;
    }

    private void run() {
        while (true) {
            Optional<Key> next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next.isEmpty()) return;
            Key key = next.get();
            try {
                Outcome outcome = reconciler.reconcile(key);
                queue.forget(key);
                if (outcome instanceof Outcome.RequeueAfter r) queue.addAfter(key, r.delay());
            } catch (KubernetesClientException e) {
                if (closing) return;
                Duration d = queue.retry(key);
                boolean expected = e.getCode() == 409 || e.getCode() == 404; // a stale read or a deleted object: the informer brings the news
                Level level = expected ? Level.FINE : Level.WARNING;
                LOG.log(level, name + ": " + key + " failed (" + e.getCode() + "), retry in " + d.toMillis() + " ms: " + e.getMessage(),
                        expected ? null : e);
                if (!expected) tell(key, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                Duration d = queue.retry(key);
                LOG.log(Level.WARNING, name + ": " + key + " failed, retry in " + d.toMillis() + " ms", e);
                tell(key, e);
            } finally {
                queue.done(key);
            }
        }
    }

    private void tell(Key key, Exception e) {
        try {
            failures.failed(key, e, queue.failures(key));
        } catch (RuntimeException listenerFailed) {
            LOG.log(Level.FINE, name + ": failure listener failed for " + key, listenerFailed);
        }
    }

    @Override
    public void close() {
        closing = true;
        queue.close();
        workers.forEach(Thread::interrupt);
        try {
            for (Thread t : workers) t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
