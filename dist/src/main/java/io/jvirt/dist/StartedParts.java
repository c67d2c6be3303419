package io.jvirt.dist;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the control plane has started so far, each with how to stop it. {@link #close()} stops them in the
 * reverse order of {@link #add}, each once, going on past a part that fails to stop: it runs at shutdown
 * and after a failed start, so that a failed start leaves nothing running. Thread-safe; close is idempotent.
 */
final class StartedParts implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StartedParts.class.getName());

    private record Part(String name, AutoCloseable stop) {
    }

    private final Deque<Part> started = new ArrayDeque<>();

    /** Records {@code part} as started; {@code stop} stops it. Returns {@code part}. */
    synchronized <T> T add(String name, T part, AutoCloseable stop) {
        started.push(new Part(name, stop));
        return part;
    }

    /** {@link #add(String, Object, AutoCloseable)} for a part that stops with its own {@code close()}. */
    <T extends AutoCloseable> T add(String name, T part) {
        return add(name, part, part);
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            Part part = started.pop();
            try {
                part.stop().close();
            } catch (Exception | Error e) {
                LOG.log(System.Logger.Level.WARNING, "stopping " + part.name() + " failed", e);
            }
        }
    }
}
