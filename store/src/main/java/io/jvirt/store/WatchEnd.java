package io.jvirt.store;

/** Why a watch ended. After any of them the client may watch again from its last seen resourceVersion. */
public sealed interface WatchEnd {

    /** {@link Watch#close()} was called. */
    record Cancelled() implements WatchEnd {}

    /** The listener fell more than {@code queueLimit} events behind; events after it were not sent. */
    record Overflowed(int queueLimit) implements WatchEnd {}

    /** The store was closed. */
    record StoreClosed() implements WatchEnd {}

    /** The listener threw; the watch stopped delivering. */
    record ListenerFailed(RuntimeException cause) implements WatchEnd {}
}
