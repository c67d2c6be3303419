package io.jvirt.apiserver.handler;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a watch writes its events: a chunked HTTP response (one JSON object and a newline per event)
 * or a WebSocket (one text frame per event). Methods may be called from any thread; writes happen
 * on the connection's Vert.x context, in call order. A client that falls {@link #MAX_PENDING} events
 * behind is cut off (it re-watches from its last resourceVersion), so a slow reader cannot grow the
 * server's buffers without bound.
 */
public sealed interface WatchSink {
    int MAX_PENDING = 10_000;

    /** Queues one event; false if the client is too far behind (the caller then ends the watch). */
    boolean send(String json);

    void end();

    /** Runs {@code action} once when the watch ends, by either side (several actions run in the order added). */
    void onClose(Runnable action);

    final class Chunked implements WatchSink {
        private final HttpServerResponse response;
        private final Context context;
        private final AtomicInteger pending = new AtomicInteger();
        private final CloseActions closeActions = new CloseActions();

        public Chunked(HttpServerResponse response, Context context) {
            this.response = response;
            this.context = context;
            response.closeHandler(v -> closeActions.run());
            response.exceptionHandler(e -> closeActions.run());
            response.endHandler(v -> closeActions.run());
        }

        @Override
        public boolean send(String json) {
            if (pending.incrementAndGet() > MAX_PENDING) return false;
            context.runOnContext(v -> {
                if (response.ended() || response.closed()) {
                    pending.decrementAndGet();
                    return;
                }
                Future<Void> written = response.write(Buffer.buffer(json + "\n"));
                written.onComplete(ar -> pending.decrementAndGet());
            });
            return true;
        }

        @Override
        public void end() {
            context.runOnContext(v -> {
                if (!response.ended() && !response.closed()) response.end();
            });
        }

        @Override
        public void onClose(Runnable action) {
            closeActions.add(action);
        }
    }

    final class WebSocket implements WatchSink {
        private final ServerWebSocket socket;
        private final Context context;
        private final AtomicInteger pending = new AtomicInteger();
        private final CloseActions closeActions = new CloseActions();

        public WebSocket(ServerWebSocket socket, Context context) {
            this.socket = socket;
            this.context = context;
            socket.closeHandler(v -> closeActions.run());
            socket.exceptionHandler(e -> closeActions.run());
        }

        @Override
        public boolean send(String json) {
            if (pending.incrementAndGet() > MAX_PENDING) return false;
            context.runOnContext(v -> {
                if (socket.isClosed()) {
                    pending.decrementAndGet();
                    return;
                }
                socket.writeTextMessage(json).onComplete(ar -> pending.decrementAndGet());
            });
            return true;
        }

        @Override
        public void end() {
            context.runOnContext(v -> {
                if (!socket.isClosed()) socket.close((short) 1000);
            });
        }

        @Override
        public void onClose(Runnable action) {
            closeActions.add(action);
        }
    }

    /** The actions of {@link #onClose}: each runs once, at the first close signal. */
    final class CloseActions {
        private final java.util.List<Runnable> actions = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();

        void add(Runnable action) {
            actions.add(action);
            if (ran.get() && actions.remove(action)) action.run(); // closed before it was added
        }

        void run() {
            if (!ran.compareAndSet(false, true)) return;
            for (Runnable a : actions) if (actions.remove(a)) a.run();
        }
    }
}
