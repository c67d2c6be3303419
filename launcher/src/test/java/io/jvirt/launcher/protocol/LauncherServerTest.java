package io.jvirt.launcher.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.launcher.domain.DomainEvent;
import io.jvirt.launcher.domain.DomainState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The launcher socket's framing, versioning and legality checks over a real unix socket. The
 * handler here only records commands; the real domain behind it is exercised by LauncherIT.
 */
class LauncherServerTest {
    @TempDir
    Path tmp;

    private final AtomicReference<DomainState> state = new AtomicReference<>(DomainState.DEFINED);
    private final List<Command> handled = new ArrayList<>();
    private LauncherServer server;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        socket = tmp.resolve("launcher.sock");
        server = LauncherServer.start(socket, state::get, command -> {
            synchronized (handled) {
                handled.add(command);
            }
            if (command instanceof Command.Reset) {
                throw new IllegalStateException("reset failed in qemu");
            }
            return LauncherServer.JSON.createObjectNode().put("handled", command.getClass().getSimpleName());
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Peer(SocketChannel channel, BufferedReader in) implements AutoCloseable {
        static Peer open(Path socket) throws Exception {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new Peer(ch, new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8)));
        }

        JsonNode exchange(String line) throws Exception {
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            return LauncherServer.JSON.readTree(in.readLine());
        }

        @Override
        public void close() throws Exception {
            channel.close();
        }
    }

    @Test
    void socketIsPrivateToTheOwner() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({
        "Start, DEFINED, true", "Start, RUNNING, false",
        "Pause, RUNNING, true", "Pause, PAUSED, false", "Pause, DEFINED, false",
        "Unpause, PAUSED, true", "Unpause, RUNNING, false",
        "Shutdown, RUNNING, true", "Shutdown, PAUSED, true", "Shutdown, SHUTOFF, false",
        "Kill, RUNNING, true", "Kill, SHUTOFF, false", "Kill, CRASHED, false",
        "SoftReboot, RUNNING, true", "SoftReboot, PAUSED, false",
        "GetDomainInfo, CRASHED, true", "Ping, SHUTOFF, true", "GetStats, DEFINED, true",
        "Query, RUNNING, true", "Query, PAUSED, true", "Query, DEFINED, false", "Query, SHUTOFF, false",
    })
    void commandsAreCheckedAgainstTheDomainState(String type, DomainState current, boolean legal) throws Exception {
        state.set(current);
        try (Peer peer = Peer.open(socket)) {
            JsonNode reply = peer.exchange("{\"kind\":\"Request\",\"version\":1,\"id\":7,\"command\":{\"type\":\"" + type + "\"}}");
            assertEquals(7, reply.path("id").asLong());
            assertEquals(legal, reply.path("ok").asBoolean(), reply.toString());
            if (legal) {
                assertEquals(type, reply.path("result").path("handled").asText());
            } else {
                assertTrue(reply.path("error").asText().contains("not legal in state " + current), reply.toString());
                assertTrue(handled.isEmpty(), "an illegal command must not reach the domain");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        not json at all                                                          | malformed request
        {"kind":"Request","version":2,"id":1,"command":{"type":"Ping"}}          | unsupported protocol version 2
        {"kind":"Request","version":1,"id":1,"command":{"type":"Format"}}        | malformed request
        {"kind":"Request","version":1,"id":1}                                    | request without command
        {"kind":"Event","version":1,"event":{"state":"RUNNING"}}                 | only requests are accepted
        {"kind":"Request","version":1,"id":1,"command":{"type":"Reset"}}         | reset failed in qemu
        """)
    void badRequestsGetAnErrorAndTheConnectionStaysUsable(String line, String message) throws Exception {
        state.set(DomainState.RUNNING);
        try (Peer peer = Peer.open(socket)) {
            JsonNode reply = peer.exchange(line);
            assertFalse(reply.path("ok").asBoolean(), reply.toString());
            assertTrue(reply.path("error").asText().contains(message), reply.toString());
            JsonNode ping = peer.exchange("{\"kind\":\"Request\",\"version\":1,\"id\":2,\"command\":{\"type\":\"Ping\"}}");
            assertTrue(ping.path("ok").asBoolean(), ping.toString());
        }
    }

    @Test
    void eventsGoToEveryClient() throws Exception {
        try (Peer a = Peer.open(socket); Peer b = Peer.open(socket)) {
            a.exchange("{\"kind\":\"Request\",\"version\":1,\"id\":1,\"command\":{\"type\":\"Ping\"}}");
            b.exchange("{\"kind\":\"Request\",\"version\":1,\"id\":1,\"command\":{\"type\":\"Ping\"}}");
            server.publish(new DomainEvent(DomainState.CRASHED, "qemu killed by signal 9", Instant.parse("2026-01-01T00:00:00Z")));
            for (Peer p : List.of(a, b)) {
                JsonNode event = LauncherServer.JSON.readTree(p.in().readLine());
                assertEquals("Event", event.path("kind").asText());
                assertEquals(1, event.path("version").asInt());
                assertEquals("CRASHED", event.path("event").path("state").asText());
                assertEquals("qemu killed by signal 9", event.path("event").path("reason").asText());
                assertEquals("2026-01-01T00:00:00Z", event.path("event").path("at").asText());
            }
        }
    }
}
