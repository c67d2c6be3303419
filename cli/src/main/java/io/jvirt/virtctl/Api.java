package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * HTTPS to the API server as the kubeconfig says (token or client certificate). Non-2xx answers become
 * {@link ApiError}s carrying the server's {@code Status} message. Thread-safe.
 */
final class Api {
    static final String SUB = "/apis/subresources.kubevirt.io/v1/namespaces/";
    static final ObjectMapper JSON = new ObjectMapper();

    private final Kubeconfig config;
    private final HttpClient http;

    Api(Kubeconfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().sslContext(config.tls()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** A failed request: HTTP status and the server's message. */
    static final class ApiError extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        ApiError(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    Kubeconfig config() {
        return config;
    }

    /** Sends a request; a 2xx answer's body (possibly empty), else an {@link ApiError}. */
    String send(String method, String path, String jsonBody) throws ApiError, IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.server() + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        if (config.token() != null) {
            b.header("Authorization", "Bearer " + config.token());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach the API server at " + config.server() + " (is it running? for jvirt: ./jvirt up)", e);
        }
        if (r.statusCode() / 100 == 2) {
            return r.body();
        }
        throw new ApiError(r.statusCode(), message(r.statusCode(), r.body()));
    }

    JsonNode get(String path) throws ApiError, IOException, InterruptedException {
        return JSON.readTree(send("GET", path, null));
    }

    /** Opens a WebSocket stream (console, vnc) on {@code path}, subprotocol {@code plain.kubevirt.io}. */
    WebSocketStream stream(String path) throws ApiError, IOException, InterruptedException {
        WebSocketStream s = new WebSocketStream();
        java.net.http.WebSocket.Builder b = http.newWebSocketBuilder().subprotocols("plain.kubevirt.io").connectTimeout(Duration.ofSeconds(10));
        if (config.token() != null) {
            b.header("Authorization", "Bearer " + config.token());
        }
        try {
            s.attach(b.buildAsync(URI.create(config.server().replaceFirst("^http", "ws") + path), s).get(30, TimeUnit.SECONDS));
            return s;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                HttpResponse<?> r = h.getResponse();
                Object body = r.body();
                throw new ApiError(r.statusCode(), message(r.statusCode(), body instanceof byte[] bytes ? new String(bytes) : String.valueOf(body)));
            }
            throw new IOException("cannot open " + path + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no answer opening " + path + " within 30 s");
        }
    }

    /** The message of a Kubernetes Status body, else the body or the HTTP status. */
    static String message(int code, String body) {
        try {
            JsonNode status = JSON.readTree(body);
            if (status != null && status.hasNonNull("message")) {
                return status.get("message").asText();
            }
        } catch (IOException notJson) {
            // fall through
        }
        return body == null || body.isBlank() ? "HTTP " + code : body.strip();
    }
}
