package io.jvirt.store;

/**
 * Receives a watch's events. The store calls it from one thread per watch (never concurrently for the
 * same watch, never while holding store locks), so implementations may block briefly (e.g. write to a
 * socket), but a slow listener lets its queue fill up and the watch ends with
 * {@link WatchEnd.Overflowed}.
 */
public interface WatchListener {

    /**
     * Called for each event, in strictly increasing resourceVersion order, except the initial
     * {@link WatchEvent.Type#ADDED} events of a watch from resourceVersion 0, which come first, in key order.
     */
    void onEvent(WatchEvent event);

    /** Called exactly once, after the last {@link #onEvent}, when the watch ends for {@code reason}. */
    void onEnd(WatchEnd reason);
}
