package io.jvirt.qemu.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.qemu.qmp.ScriptedQmpPeer.Event;
import io.jvirt.qemu.qmp.ScriptedQmpPeer.Expect;
import io.jvirt.qemu.qmp.ScriptedQmpPeer.Fail;
import io.jvirt.qemu.qmp.ScriptedQmpPeer.Hangup;
import io.jvirt.qemu.qmp.ScriptedQmpPeer.Reply;
import io.jvirt.qemu.qmp.ScriptedQmpPeer.Send;
import io.jvirt.qemu.qmp.ScriptedQmpPeer.Step;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QmpClientTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Instant AT = Instant.ofEpochSecond(ScriptedQmpPeer.EVENT_SECONDS, ScriptedQmpPeer.EVENT_MICROS * 1000);

    @TempDir
    Path dir;

    /** What the test does with a connected client; returns a printable outcome. */
    @FunctionalInterface
    interface Action {
        String run(QmpClient client) throws Exception;
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                row("plain reply",
                        steps(ScriptedQmpPeer.call("query-status", "{\"status\":\"running\",\"singlestep\":false,\"running\":true}")),
                        QmpClientTest::status, "running=true RUNNING", List.of()),
                row("events before the reply",
                        steps(List.of(new Expect("query-status", "q"), new Event("STOP", null), new Event("RESUME", null),
                                new Reply("q", "{\"status\":\"paused\",\"running\":false}"))),
                        QmpClientTest::status, "running=false PAUSED", List.of(new QmpEvent.Stop(AT), new QmpEvent.Resume(AT))),
                row("events after the reply",
                        steps(List.of(new Expect("system_powerdown", "p"), new Reply("p", "{}"), new Event("POWERDOWN", null),
                                new Event("SHUTDOWN", "{\"guest\":true,\"reason\":\"guest-shutdown\"}"))),
                        c -> outcome(() -> { c.systemPowerdown(); return "ok"; }), "ok",
                        List.of(new QmpEvent.Powerdown(AT), new QmpEvent.Shutdown(AT, true, "guest-shutdown"))),
                row("event between greeting and negotiation is delivered",
                        List.of(ScriptedQmpPeer.greeting(), new Event("RESET", "{\"guest\":false,\"reason\":\"host-qmp-system-reset\"}"),
                                new Expect("qmp_capabilities", "caps"), new Reply("caps", "{}"), new Hangup()),
                        c -> "nothing", "nothing", List.of(new QmpEvent.Reset(AT, false, "host-qmp-system-reset"))),
                row("error reply carries class and desc",
                        steps(List.of(new Expect("cont", "c"), new Fail("c", "GenericError", "Resetting the Virtual Machine is required"))),
                        c -> outcome(() -> { c.cont(); return "ok"; }),
                        "QmpErrorException cont GenericError: Resetting the Virtual Machine is required", List.of()),
                row("unknown command",
                        steps(List.of(new Expect("frobnicate", "f"), new Fail("f", "CommandNotFound", "The command frobnicate has not been found"))),
                        c -> outcome(() -> c.execute("frobnicate").toString()),
                        "QmpErrorException frobnicate CommandNotFound: The command frobnicate has not been found", List.of()),
                row("error reply interleaved with events",
                        steps(List.of(new Expect("stop", "s"), new Event("STOP", null), new Fail("s", "GenericError", "nope"),
                                new Event("GUEST_PANICKED", "{\"action\":\"pause\"}"))),
                        c -> outcome(() -> { c.stop(); return "ok"; }), "QmpErrorException stop GenericError: nope",
                        List.of(new QmpEvent.Stop(AT), new QmpEvent.GuestPanicked(AT, "pause", com.fasterxml.jackson.databind.node.NullNode.getInstance()))),
                row("disconnect mid-call fails the call",
                        List.of(ScriptedQmpPeer.greeting(), new Expect("qmp_capabilities", "caps"), new Reply("caps", "{}"),
                                new Expect("system_reset", "r"), new Event("RESET", "{\"guest\":false,\"reason\":\"host-qmp-system-reset\"}"), new Hangup()),
                        c -> outcome(() -> { c.systemReset(); return "ok"; }), "QmpDisconnectedException",
                        List.of(new QmpEvent.Reset(AT, false, "host-qmp-system-reset"))),
                row("reply with an unknown id is ignored",
                        steps(List.of(new Expect("query-version", "v"), new Send("{\"return\": {}, \"id\": \"not-ours\"}"),
                                new Reply("v", "{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":22},\"package\":\"Debian\"}"))),
                        c -> outcome(() -> c.queryVersion().toString()), "7.2.22 (Debian)", List.of()),
                row("quit: reply, SHUTDOWN, hangup",
                        steps(List.of(new Expect("quit", "q"), new Reply("q", "{}"),
                                new Event("SHUTDOWN", "{\"guest\":false,\"reason\":\"host-qmp-quit\"}"))),
                        c -> outcome(() -> { c.quit(); return "ok"; }), "ok",
                        List.of(new QmpEvent.Shutdown(AT, false, "host-qmp-quit"))),
                row("quit: hangup before the reply still counts",
                        List.of(ScriptedQmpPeer.greeting(), new Expect("qmp_capabilities", "caps"), new Reply("caps", "{}"),
                                new Expect("quit", "q"), new Hangup()),
                        c -> outcome(() -> { c.quit(); return "ok"; }), "ok", List.of()));
    }

    /** Every script ends with the peer hanging up, so all events have been read when the disconnect arrives. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void playsScript(String name, List<Step> script, Action action, String expectedOutcome, List<QmpEvent> expectedEvents) throws Exception {
        RecordingListener listener = new RecordingListener();
        try (ScriptedQmpPeer peer = ScriptedQmpPeer.start(dir, script);
             QmpClient client = QmpClient.connect(peer.socket(), WAIT, listener)) {
            assertEquals(new QemuVersion(7, 2, 22, "Debian 1:7.2+dfsg-7"), client.greeting().version());
            assertEquals(expectedOutcome, action.run(client));
            assertTrue(listener.awaitDisconnect(WAIT), "listener told of the disconnect");
            peer.awaitScript(WAIT);
            assertEquals(expectedEvents, listener.events());
            assertEquals(1, listener.disconnects().size());
            assertFalse(listener.eventAfterDisconnect());
            assertFalse(client.isConnected());
            assertTrue(client.disconnected().isDone());
        }
    }

    @Test
    void repliesOutOfOrderReachTheRightCaller() throws Exception {
        List<Step> script = steps(List.of(new Expect("query-status", "a"), new Expect("query-version", "b"),
                new Expect("query-name", "c"),
                new Reply("c", "{\"name\":\"vm1\"}"), new Reply("b", "{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":0}}"),
                new Reply("a", "{\"status\":\"prelaunch\",\"running\":false}")));
        try (ScriptedQmpPeer peer = ScriptedQmpPeer.start(dir, script);
             QmpClient client = QmpClient.connect(peer.socket(), WAIT)) {
            CompletableFuture<JsonNode> a = client.send("query-status", null);
            CompletableFuture<JsonNode> b = client.send("query-version", null);
            CompletableFuture<JsonNode> c = client.send("query-name", null);
            assertEquals("vm1", c.get(5, TimeUnit.SECONDS).path("name").asText());
            assertEquals(7, b.get(5, TimeUnit.SECONDS).path("qemu").path("major").asInt());
            assertEquals("prelaunch", a.get(5, TimeUnit.SECONDS).path("status").asText());
            peer.awaitScript(WAIT);
        }
    }

    @Test
    void disconnectFailsEveryPendingCallAndLaterCalls() throws Exception {
        List<Step> script = List.of(ScriptedQmpPeer.greeting(), new Expect("qmp_capabilities", "caps"), new Reply("caps", "{}"),
                new Expect("stop", "s"), new Expect("cont", "c"), new Hangup());
        RecordingListener listener = new RecordingListener();
        try (ScriptedQmpPeer peer = ScriptedQmpPeer.start(dir, script);
             QmpClient client = QmpClient.connect(peer.socket(), WAIT, listener)) {
            List<CompletableFuture<JsonNode>> calls = new ArrayList<>(List.of(client.send("stop", null), client.send("cont", null)));
            for (CompletableFuture<JsonNode> call : calls) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
                assertInstanceOf(QmpDisconnectedException.class, e.getCause());
            }
            assertTrue(listener.awaitDisconnect(WAIT));
            assertTrue(listener.disconnects().getFirst().contains("end of stream"), listener.disconnects().toString());
            assertThrows(QmpDisconnectedException.class, () -> client.execute("query-status"));
            peer.awaitScript(WAIT);
        }
    }

    @Test
    void timeoutLeavesTheConnectionUsable() throws Exception {
        List<Step> script = steps(List.of(new Expect("slow", "slow"), new Expect("query-status", "q"),
                new Reply("q", "{\"status\":\"running\",\"running\":true}"), new Reply("slow", "{}")));
        try (ScriptedQmpPeer peer = ScriptedQmpPeer.start(dir, script);
             QmpClient client = QmpClient.connect(peer.socket(), WAIT)) {
            assertThrows(QmpTimeoutException.class, () -> client.execute("slow", null, Duration.ofMillis(200)));
            assertTrue(client.queryStatus().running());
            peer.awaitScript(WAIT);
        }
    }

    @Test
    void failedNegotiationFailsConnect() throws Exception {
        List<Step> script = List.of(ScriptedQmpPeer.greeting(), new Expect("qmp_capabilities", "caps"),
                new Fail("caps", "CommandNotFound", "Capabilities negotiation is already complete, command ignored"));
        try (ScriptedQmpPeer peer = ScriptedQmpPeer.start(dir, script)) {
            QmpErrorException e = assertThrows(QmpErrorException.class, () -> QmpClient.connect(peer.socket(), WAIT));
            assertEquals("CommandNotFound", e.errorClass());
            peer.awaitScript(WAIT);
        }
    }

    @Test
    void silentPeerTimesOutConnect() throws Exception {
        try (ScriptedQmpPeer peer = ScriptedQmpPeer.start(dir, List.of())) {
            long start = System.nanoTime();
            assertThrows(QmpTimeoutException.class, () -> QmpClient.connect(peer.socket(), Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
        }
    }

    @Test
    void missingSocketFailsAfterTheDeadline() {
        assertThrows(java.io.IOException.class, () -> QmpClient.connect(dir.resolve("absent.sock"), Duration.ofMillis(200)));
    }

    static Stream<Arguments> eventMessages() {
        String ts = ",\"timestamp\":{\"seconds\":1700000000,\"microseconds\":250}";
        JsonNode info = json("{\"core\":\"hyper-v\",\"arg1\":1}");
        return Stream.of(
                Arguments.of("{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":true,\"reason\":\"guest-shutdown\"}" + ts + "}",
                        new QmpEvent.Shutdown(AT, true, "guest-shutdown")),
                Arguments.of("{\"event\":\"POWERDOWN\"" + ts + "}", new QmpEvent.Powerdown(AT)),
                Arguments.of("{\"event\":\"STOP\"" + ts + "}", new QmpEvent.Stop(AT)),
                Arguments.of("{\"event\":\"RESUME\"" + ts + "}", new QmpEvent.Resume(AT)),
                Arguments.of("{\"event\":\"RESET\",\"data\":{\"guest\":true,\"reason\":\"guest-reset\"}" + ts + "}",
                        new QmpEvent.Reset(AT, true, "guest-reset")),
                Arguments.of("{\"event\":\"GUEST_PANICKED\",\"data\":{\"action\":\"poweroff\",\"info\":{\"core\":\"hyper-v\",\"arg1\":1}}" + ts + "}",
                        new QmpEvent.GuestPanicked(AT, "poweroff", info)),
                Arguments.of("{\"event\":\"DEVICE_DELETED\",\"data\":{\"device\":\"net1\",\"path\":\"/machine/peripheral/net1\"}" + ts + "}",
                        new QmpEvent.DeviceDeleted(AT, "net1", "/machine/peripheral/net1")),
                Arguments.of("{\"event\":\"DEVICE_DELETED\",\"data\":{\"path\":\"/machine/peripheral-anon/device[0]\"}" + ts + "}",
                        new QmpEvent.DeviceDeleted(AT, null, "/machine/peripheral-anon/device[0]")),
                Arguments.of("{\"event\":\"MIGRATION\",\"data\":{\"status\":\"completed\"}" + ts + "}",
                        new QmpEvent.Migration(AT, "completed")),
                Arguments.of("{\"event\":\"WATCHDOG\",\"data\":{\"action\":\"reset\"}" + ts + "}",
                        new QmpEvent.Other(AT, "WATCHDOG", json("{\"action\":\"reset\"}"))),
                Arguments.of("{\"event\":\"STOP\"}", new QmpEvent.Stop(Instant.EPOCH)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventMessages")
    void decodesEvents(String message, QmpEvent expected) {
        assertEquals(expected, QmpEvent.fromMessage(json(message)));
    }

    private static JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Handshake, then {@code body}, then hang up. */
    private static List<Step> steps(List<Step> body) {
        List<Step> all = new ArrayList<>(ScriptedQmpPeer.handshake());
        all.addAll(body);
        all.add(new Hangup());
        return all;
    }

    private static Arguments row(String name, List<Step> script, Action action, String outcome, List<QmpEvent> events) {
        return Arguments.of(name, script, action, outcome, events);
    }

    private static String status(QmpClient c) throws Exception {
        return outcome(() -> {
            QmpStatus s = c.queryStatus();
            return "running=" + s.running() + " " + s.state();
        });
    }

    @FunctionalInterface
    interface Call {
        String call() throws Exception;
    }

    private static String outcome(Call call) throws Exception {
        try {
            return call.call();
        } catch (QmpErrorException e) {
            return "QmpErrorException " + e.command() + " " + e.errorClass() + ": " + e.description();
        } catch (QmpDisconnectedException e) {
            return "QmpDisconnectedException";
        }
    }
}
