package io.jvirt.qemu.qmp;

/**
 * Receives what QEMU says without being asked. Called on the client's single event thread, in the
 * order QEMU sent the events; {@link #onDisconnect} comes last, exactly once. Implementations
 * should return quickly; they may call the client (the event thread is not the reader).
 */
public interface QmpListener {
    /** One asynchronous event. */
    void onEvent(QmpEvent event);

    /** The connection ended; {@code reason} says how (end of stream, I/O error, closed by the client). */
    default void onDisconnect(String reason) {}
}
