package io.jvirt.store;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * One running watch: a bounded queue of live events filled by the store's fan-out and drained by its own
 * virtual thread into the {@link WatchListener}. Thread-safe; all state is guarded by {@code this}.
 */
final class Watcher implements Watch {

    private final KeyPrefix prefix;
    private final WatchListener listener;
    private final int queueLimit;
    private final Consumer<Watcher> onFinished;

    /** Replay (or initial-state) events, delivered before {@link #live}; not bounded by the queue limit. */
    private final ArrayDeque<WatchEvent> backlog;
    /** True while {@link #backlog} holds the initial ADDED events of a watch from 0 (not in rv order). */
    private boolean backlogIsInitialState;
    private final ArrayDeque<WatchEvent> live = new ArrayDeque<>();
    /** Every event with rv up to this has been offered (queued if it matched). */
    private long offeredThrough;
    /** Every matching event with rv up to this has been handed to the listener. */
    private long deliveredThrough;
    private boolean delivering;
    private WatchEnd end;

    Watcher(KeyPrefix prefix, WatchListener listener, int queueLimit, long startResourceVersion,
            long currentResourceVersion, List<WatchEvent> backlog, boolean initialState, Consumer<Watcher> onFinished) {
        this.prefix = prefix;
        this.listener = listener;
        this.queueLimit = queueLimit;
        this.onFinished = onFinished;
        this.backlog = new ArrayDeque<>(backlog);
        this.backlogIsInitialState = initialState;
        this.deliveredThrough = startResourceVersion;
        this.offeredThrough = Math.max(startResourceVersion, currentResourceVersion);
    }

    /** Starts the delivery thread. Called once, after the watcher is registered for fan-out. */
    void start() {
        Thread.ofVirtual().name("store-watch-" + prefix).start(this::deliverLoop);
    }

    /** Fan-out of one acknowledged change; called in resourceVersion order under the store's state lock. */
    synchronized void offer(WatchEvent event) {
        if (end != null || event.resourceVersion() <= offeredThrough) {
            return;
        }
        offeredThrough = event.resourceVersion();
        if (!prefix.contains(event.object().key())) {
            return;
        }
        if (live.size() >= queueLimit) {
            finish(new WatchEnd.Overflowed(queueLimit));
            return;
        }
        live.addLast(event);
        notifyAll();
    }

    /** Ends the watch with {@code reason} unless it already ended; undelivered events are dropped. */
    synchronized void finish(WatchEnd reason) {
        if (end != null) {
            return;
        }
        end = reason;
        backlog.clear();
        live.clear();
        notifyAll();
    }

    @Override
    public synchronized long progressResourceVersion() {
        if (!delivering && backlog.isEmpty() && live.isEmpty() && end == null) {
            return offeredThrough;
        }
        return deliveredThrough;
    }

    @Override
    public void close() {
        finish(new WatchEnd.Cancelled());
    }

    private void deliverLoop() {
        WatchEnd reason;
        while (true) {
            WatchEvent next;
            boolean initial;
            synchronized (this) {
                delivering = false;
                while (end == null && backlog.isEmpty() && live.isEmpty()) {
                    waitQuietly();
                }
                if (end != null) {
                    reason = end;
                    break;
                }
                initial = !backlog.isEmpty() && backlogIsInitialState;
                next = backlog.isEmpty() ? live.pollFirst() : backlog.pollFirst();
                if (backlog.isEmpty()) {
                    backlogIsInitialState = false;
                }
                delivering = true;
            }
            try {
                listener.onEvent(next);
            } catch (RuntimeException e) {
                finish(new WatchEnd.ListenerFailed(e));
                continue;
            }
            if (!initial) {
                synchronized (this) {
                    deliveredThrough = Math.max(deliveredThrough, next.resourceVersion());
                }
            }
        }
        onFinished.accept(this);
        try {
            listener.onEnd(reason);
        } catch (RuntimeException ignored) {
            // The watch is over either way; a failing end callback has nobody left to tell.
        }
    }

    private void waitQuietly() {
        try {
            wait();
        } catch (InterruptedException e) {
            finish(new WatchEnd.StoreClosed());
        }
    }
}
