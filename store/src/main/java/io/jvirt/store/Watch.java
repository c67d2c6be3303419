package io.jvirt.store;

/** A running watch. Thread-safe. */
public interface Watch extends AutoCloseable {

    /**
     * The resourceVersion up to which this watch has delivered every matching event: a bookmark with it
     * is safe (a watch resumed from it misses nothing). Starts at the watch's start version and only grows.
     */
    long progressResourceVersion();

    /** Stops the watch; the listener then gets {@link WatchEnd.Cancelled} (unless it already ended). Idempotent. */
    @Override
    void close();
}
