package io.jvirt.qemu.qmp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Collects events and the disconnect notice; checks that nothing arrives after the disconnect. */
final class RecordingListener implements QmpListener {
    private final List<QmpEvent> events = new ArrayList<>();
    private final List<String> disconnects = new ArrayList<>();
    private final CountDownLatch disconnected = new CountDownLatch(1);
    private boolean eventAfterDisconnect;

    @Override
    public synchronized void onEvent(QmpEvent event) {
        eventAfterDisconnect |= !disconnects.isEmpty();
        events.add(event);
        notifyAll();
    }

    @Override
    public synchronized void onDisconnect(String reason) {
        disconnects.add(reason);
        disconnected.countDown();
    }

    synchronized List<QmpEvent> events() {
        return List.copyOf(events);
    }

    synchronized List<String> disconnects() {
        return List.copyOf(disconnects);
    }

    synchronized boolean eventAfterDisconnect() {
        return eventAfterDisconnect;
    }

    /** Waits for the disconnect notice; false on timeout. */
    boolean awaitDisconnect(Duration timeout) throws InterruptedException {
        return disconnected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until an event of {@code type} has arrived; returns it, or null on timeout. */
    synchronized <E extends QmpEvent> E awaitEvent(Class<E> type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (QmpEvent e : events) {
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
    }
}
