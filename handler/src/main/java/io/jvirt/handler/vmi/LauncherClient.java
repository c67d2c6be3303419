package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The node agent's side of the launcher protocol (version 1), written against the wire format:
 * newline-delimited JSON over the launcher's unix socket; requests
 * {@code {"kind":"Request","version":1,"id":N,"command":{"type":"Start",...}}}, answered by
 * {@code {"kind":"Response","id":N,"ok":..,"result":..,"error":..}}; pushed
 * {@code {"kind":"Event","event":{"state":..,"reason":..,"at":..}}}. Thread-safe; one reader thread.
 */
public final class LauncherClient implements AutoCloseable {
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A domain state change pushed by the launcher. */
    public record DomainEvent(String state, String reason, String at) {}

    /** A failed command: the launcher's error text. */
    public static final class LauncherException extends IOException {
        public LauncherException(String message) {
            super(message);
        }
    }

    private final SocketChannel channel;
    private final OutputStream out;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private LauncherClient(SocketChannel channel, Consumer<DomainEvent> events) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        Thread.ofVirtual().name("launcher-client").start(() -> readLoop(events));
    }

    public static LauncherClient connect(Path socket, Consumer<DomainEvent> events) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new LauncherClient(ch, events);
    }

    /** Completes when the launcher closed the connection. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /**
     * Sends {@code command} (its {@code type} plus fields) and waits for the answer's result.
     *
     * @throws LauncherException when the launcher refused or failed the command
     */
    public JsonNode call(String type, Map<String, Object> fields, Duration timeout) throws IOException, InterruptedException {
        long id = ids.incrementAndGet();
        ObjectNode command = JSON.createObjectNode().put("type", type);
        fields.forEach((k, v) -> command.set(k, JSON.valueToTree(v)));
        ObjectNode request = JSON.createObjectNode().put("kind", "Request").put("version", VERSION).put("id", id);
        request.set("command", command);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        byte[] line = (JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(line);
            out.flush();
        }
        try {
            JsonNode response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!response.path("ok").asBoolean()) {
                throw new LauncherException(type + ": " + response.path("error").asText("refused"));
            }
            return response.path("result");
        } catch (TimeoutException e) {
            throw new IOException(type + ": no answer within " + timeout.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(type + ": " + e.getCause().getMessage(), e.getCause());
        } finally {
            pending.remove(id);
        }
    }

    private void readLoop(Consumer<DomainEvent> events) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode msg = JSON.readTree(line);
                switch (msg.path("kind").asText()) {
                    case "Response" -> {
                        CompletableFuture<JsonNode> f = pending.get(msg.path("id").asLong());
                        if (f != null) {
                            f.complete(msg);
                        }
                    }
                    case "Event" -> {
                        JsonNode e = msg.path("event");
                        events.accept(new DomainEvent(e.path("state").asText(), e.path("reason").asText(null), e.path("at").asText(null)));
                    }
                    default -> { /* unknown kinds of a newer launcher are ignored */ }
                }
            }
        } catch (IOException e) {
            // connection gone
        } finally {
            IOException gone = new IOException("launcher connection closed");
            pending.values().forEach(f -> f.completeExceptionally(gone));
            closed.complete(null);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
