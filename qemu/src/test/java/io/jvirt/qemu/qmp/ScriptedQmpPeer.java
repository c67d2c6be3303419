package io.jvirt.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A QMP server for unit tests: listens on a real unix socket, accepts one client and plays a
 * script of {@link Step}s, checking the commands it receives. Speaks QEMU's wire format
 * (one JSON object a line, greeting first, replies echo the command's {@code id}).
 *
 * <p>After the script the peer keeps reading until the client hangs up; any command it receives
 * then is a script failure. {@link #awaitScript} rethrows the first failure.
 */
final class ScriptedQmpPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One thing the peer does. */
    sealed interface Step {}

    /** Write {@code line} as is (may be any JSON, even an unknown id). */
    record Send(String line) implements Step {}

    /** Read the next command; it must be {@code command}. Its id is remembered under {@code tag}. */
    record Expect(String command, String tag) implements Step {}

    /** Reply to the command remembered under {@code tag} with {@code {"return": <returnJson>}}. */
    record Reply(String tag, String returnJson) implements Step {}

    /** Reply to the command remembered under {@code tag} with an error. */
    record Fail(String tag, String errorClass, String desc) implements Step {}

    /** Emit event {@code name} with {@code dataJson} (null: no data) and a fixed timestamp. */
    record Event(String name, String dataJson) implements Step {}

    /** Close the connection abruptly. */
    record Hangup() implements Step {}

    /** QEMU 7.2's greeting. */
    static Step greeting() {
        return new Send("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
                + "\"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}");
    }

    /** Greeting plus a successful {@code qmp_capabilities}. */
    static List<Step> handshake() {
        return List.of(greeting(), new Expect("qmp_capabilities", "caps"), new Reply("caps", "{}"));
    }

    /** Expect {@code command} and answer it with {@code returnJson}. */
    static List<Step> call(String command, String returnJson) {
        return List.of(new Expect(command, command), new Reply(command, returnJson));
    }

    static final long EVENT_SECONDS = 1_700_000_000L;
    static final long EVENT_MICROS = 250;

    private final Path socket;
    private final ServerSocketChannel server;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final List<String> received = new ArrayList<>();
    private volatile SocketChannel client;

    private ScriptedQmpPeer(Path socket, List<Step> script) throws IOException {
        this.socket = socket;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("scripted-qmp-peer").start(() -> run(script));
    }

    /** Starts a peer listening at {@code dir}/qmp.sock. */
    static ScriptedQmpPeer start(Path dir, List<Step> script) throws IOException {
        return new ScriptedQmpPeer(dir.resolve("qmp.sock"), script);
    }

    Path socket() {
        return socket;
    }

    /** The command names received, in order. */
    synchronized List<String> received() {
        return List.copyOf(received);
    }

    /** Waits for the script to finish and the client to hang up; rethrows a script failure. */
    void awaitScript(Duration timeout) throws Exception {
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
        server.close();
        Files.deleteIfExists(socket);
    }

    private void run(List<Step> script) {
        try (SocketChannel c = server.accept()) {
            client = c;
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
            Map<String, JsonNode> ids = new HashMap<>();
            for (Step step : script) {
                if (!play(step, c, in, ids)) {
                    done.complete(null);
                    return;
                }
            }
            String extra;
            while ((extra = in.readLine()) != null) {
                throw new AssertionError("command after end of script: " + extra);
            }
            done.complete(null);
        } catch (IOException | RuntimeException | AssertionError e) {
            done.completeExceptionally(e instanceof AssertionError ? e : new AssertionError("peer failed: " + e, e));
        }
    }

    /** Plays one step; false when the connection is gone. */
    private boolean play(Step step, SocketChannel c, BufferedReader in, Map<String, JsonNode> ids) throws IOException {
        switch (step) {
            case Send s -> write(c, s.line());
            case Expect e -> {
                String line = in.readLine();
                if (line == null) {
                    throw new AssertionError("client hung up, expected " + e.command());
                }
                JsonNode msg = JSON.readTree(line);
                String command = msg.path("execute").asText();
                synchronized (this) {
                    received.add(command);
                }
                if (!command.equals(e.command())) {
                    throw new AssertionError("expected " + e.command() + " but got " + line);
                }
                ids.put(e.tag(), msg.get("id"));
            }
            case Reply r -> {
                ObjectNode reply = JSON.createObjectNode();
                reply.set("return", JSON.readTree(r.returnJson()));
                reply.set("id", id(ids, r.tag()));
                write(c, JSON.writeValueAsString(reply));
            }
            case Fail f -> {
                ObjectNode reply = JSON.createObjectNode();
                reply.putObject("error").put("class", f.errorClass()).put("desc", f.desc());
                reply.set("id", id(ids, f.tag()));
                write(c, JSON.writeValueAsString(reply));
            }
            case Event ev -> {
                ObjectNode event = JSON.createObjectNode().put("event", ev.name());
                if (ev.dataJson() != null) {
                    event.set("data", JSON.readTree(ev.dataJson()));
                }
                event.putObject("timestamp").put("seconds", EVENT_SECONDS).put("microseconds", EVENT_MICROS);
                write(c, JSON.writeValueAsString(event));
            }
            case Hangup h -> {
                c.close();
                return false;
            }
        }
        return true;
    }

    private static JsonNode id(Map<String, JsonNode> ids, String tag) {
        JsonNode id = ids.get(tag);
        if (id == null) {
            throw new AssertionError("script replies to " + tag + " before expecting it");
        }
        return id;
    }

    private static void write(SocketChannel c, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            c.write(bytes);
        }
    }
}
