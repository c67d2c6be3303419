package io.jvirt.apiserver.handler;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

/**
 * Where a watch writes its events: a chunked HTTP response (one JSON object and a newline per event)
 * or a WebSocket (one text frame per event). Methods may be called from any thread; writes happen
 * on the connection's Vert.x context, in call order.
 */
public sealed interface WatchSink {
    void send(String json);

    void end();

    /** Runs {@code action} once when the client goes away. */
    void onClose(Runnable action);

    record Chunked(HttpServerResponse response, Context context) implements WatchSink {
        @Override
        public void send(String json) {
            context.runOnContext(v -> {
                if (!response.ended() && !response.closed()) response.write(Buffer.buffer(json + "\n"));
            });
        }

        @Override
        public void end() {
            context.runOnContext(v -> {
                if (!response.ended() && !response.closed()) response.end();
            });
        }

        @Override
        public void onClose(Runnable action) {
            response.closeHandler(v -> action.run());
            response.exceptionHandler(e -> action.run());
            response.endHandler(v -> action.run());
        }
    }

    record WebSocket(ServerWebSocket socket, Context context) implements WatchSink {
        @Override
        public void send(String json) {
            context.runOnContext(v -> {
                if (!socket.isClosed()) socket.writeTextMessage(json);
            });
        }

        @Override
        public void end() {
            context.runOnContext(v -> {
                if (!socket.isClosed()) socket.close((short) 1000);
            });
        }

        @Override
        public void onClose(Runnable action) {
            socket.closeHandler(v -> action.run());
            socket.exceptionHandler(e -> action.run());
        }
    }
}
