package io.jvirt.apiserver.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/** Writing JSON answers and Status errors to a Vert.x response. Call on the request's context. */
public final class Replies {
    private Replies() {}

    public static void json(HttpServerResponse resp, int code, JsonNode body, String contentType, List<String> warnings) {
        send(resp, code, Codec.toJson(body), contentType, warnings);
    }

    public static void send(HttpServerResponse resp, int code, byte[] body, String contentType, List<String> warnings) {
        if (resp.ended() || resp.closed()) return;
        resp.setStatusCode(code);
        resp.putHeader("Content-Type", contentType);
        resp.putHeader("Cache-Control", "no-cache, private");
        for (String w : warnings) resp.headers().add("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\"");
        resp.end(Buffer.buffer(body));
    }

    public static void error(HttpServerResponse resp, ApiException e) {
        if (resp.headWritten()) {
            resp.reset();
            return;
        }
        json(resp, e.code(), e.toStatus(), "application/json", List.of());
    }
}
