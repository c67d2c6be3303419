package io.jvirt.qemu.qmp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A client for QEMU's machine protocol (QMP) on the monitor's unix socket.
 *
 * <p>{@link #connect} reads the greeting and negotiates capabilities; afterwards commands may be
 * sent from any number of threads. Each command carries a fresh {@code id}, and the reply with that
 * id completes it, whatever order replies come in. Replies without a known id are dropped.
 *
 * <p>Threads: one reader thread per client reads every message; replies complete the callers'
 * futures on it. Events and the final disconnect notice go to {@link QmpListener}s on a separate,
 * single event thread, in arrival order, so a listener may call back into the client.
 *
 * <p>When the connection ends (QEMU exits, I/O error, or {@link #close()}), every pending call
 * fails with {@link QmpDisconnectedException}, later calls fail the same way, listeners get
 * {@link QmpListener#onDisconnect} once, and {@link #disconnected()} completes with the reason.
 *
 * <p>All public methods are thread-safe. {@link #close()} is idempotent.
 */
public final class QmpClient implements AutoCloseable {
    /** Deadline of the typed helpers. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

    private final SocketChannel channel;
    private final Path socket;
    private final Object writeLock = new Object();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final List<QmpListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events;
    private final CompletableFuture<QmpGreeting> greeting = new CompletableFuture<>();
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();
    private final AtomicBoolean closing = new AtomicBoolean();

    private record Pending(String command, CompletableFuture<JsonNode> reply) {}

    private QmpClient(SocketChannel channel, Path socket, List<QmpListener> initialListeners) {
        this.channel = channel;
        this.socket = socket;
        // before the reader starts: events that arrive ahead of negotiation must reach them
        this.listeners.addAll(initialListeners);
        this.events = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("qmp-events").factory());
        Thread.ofPlatform().daemon().name("qmp-reader").start(this::readLoop);
    }

    /**
     * Connects to the monitor at {@code socket}, waiting up to {@code timeout} for the socket to
     * appear and accept (QEMU creates it while starting), reads the greeting and sends
     * {@code qmp_capabilities}. Listeners given here see every event from the first one on.
     *
     * @throws QmpException if negotiation fails, times out or the peer goes away
     * @throws IOException  if the socket cannot be reached before the deadline
     */
    public static QmpClient connect(Path socket, Duration timeout, QmpListener... listeners)
            throws IOException, InterruptedException {
        return connect(socket, timeout, () -> true, listeners);
    }

    /**
     * Like {@link #connect(Path, Duration, QmpListener...)}, but stops retrying the socket as soon
     * as {@code keepTrying} says false (e.g. {@code process::isAlive} of the QEMU that should
     * open it), so a dead QEMU fails the connect at once instead of at the deadline.
     */
    public static QmpClient connect(Path socket, Duration timeout, BooleanSupplier keepTrying, QmpListener... listeners)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SocketChannel channel = openWithRetry(socket, deadline, keepTrying);
        QmpClient client = new QmpClient(channel, socket, List.of(listeners));
        try {
            client.awaitGreeting(remaining(deadline));
            client.execute("qmp_capabilities", null, remaining(deadline));
            return client;
        } catch (IOException | InterruptedException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The banner QEMU sent on connect. */
    public QmpGreeting greeting() {
        return greeting.getNow(null);
    }

    /** Adds a listener for events from now on. */
    public void addListener(QmpListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener; events already queued for it may still arrive. */
    public void removeListener(QmpListener listener) {
        listeners.remove(listener);
    }

    /** Completes with the reason once the connection has ended; never completes exceptionally. */
    public CompletableFuture<String> disconnected() {
        return disconnected.copy();
    }

    /** True until the connection ends. */
    public boolean isConnected() {
        return !disconnected.isDone();
    }

    /**
     * Sends {@code command} with {@code arguments} (null for none) without waiting. The future
     * completes with the {@code return} value, or exceptionally with a {@link QmpException}.
     */
    public CompletableFuture<JsonNode> send(String command, ObjectNode arguments) {
        String id = "jvirt-" + nextId.getAndIncrement();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, new Pending(command, reply));
        if (disconnected.isDone()) {
            failPending(id, disconnected.getNow("disconnected"));
            return reply;
        }
        ObjectNode message = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            message.set("arguments", arguments);
        }
        message.put("id", id);
        try {
            write(message);
        } catch (IOException e) {
            pending.remove(id);
            reply.completeExceptionally(new QmpDisconnectedException("QMP " + command + ": write to " + socket + " failed", e));
            shutdown("write failed: " + e.getMessage());
        }
        return reply;
    }

    /**
     * Sends {@code command} and waits up to {@code timeout} for its reply.
     *
     * @return the {@code return} member of the reply
     * @throws QmpErrorException        QEMU answered with an error
     * @throws QmpDisconnectedException the connection ended first
     * @throws QmpTimeoutException      no reply in time (the connection stays open)
     */
    public JsonNode execute(String command, ObjectNode arguments, Duration timeout)
            throws QmpException, InterruptedException {
        CompletableFuture<JsonNode> reply = send(command, arguments);
        try {
            return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof QmpException q) {
                throw q;
            }
            throw new IllegalStateException("unexpected failure of QMP " + command, e.getCause());
        } catch (TimeoutException e) {
            pending.values().removeIf(p -> p.reply() == reply);
            throw new QmpTimeoutException("QMP " + command + ": no reply within " + timeout);
        }
    }

    /** {@code execute(command, null, DEFAULT_TIMEOUT)}. */
    public JsonNode execute(String command) throws QmpException, InterruptedException {
        return execute(command, null, DEFAULT_TIMEOUT);
    }

    /** {@code query-status}. */
    public QmpStatus queryStatus() throws QmpException, InterruptedException {
        JsonNode r = execute("query-status");
        String state = r.path("status").asText();
        return new QmpStatus(r.path("running").asBoolean(), QmpStatus.RunState.fromQmp(state), state);
    }

    /** {@code query-version}. */
    public QemuVersion queryVersion() throws QmpException, InterruptedException {
        return QemuVersion.fromJson(execute("query-version"));
    }

    /** {@code stop}: pause the vCPUs (a STOP event follows). */
    public void stop() throws QmpException, InterruptedException {
        execute("stop");
    }

    /** {@code cont}: run the vCPUs (a RESUME event follows). */
    public void cont() throws QmpException, InterruptedException {
        execute("cont");
    }

    /** {@code system_powerdown}: press the ACPI power button; the guest decides what happens. */
    public void systemPowerdown() throws QmpException, InterruptedException {
        execute("system_powerdown");
    }

    /** {@code system_reset}: hard reset of the machine. */
    public void systemReset() throws QmpException, InterruptedException {
        execute("system_reset");
    }

    /**
     * {@code quit}: QEMU exits at once. A disconnect racing the reply counts as success, since
     * QEMU closing the monitor is the effect asked for.
     */
    public void quit() throws QmpException, InterruptedException {
        try {
            execute("quit");
        } catch (QmpDisconnectedException e) {
            // QEMU may close the socket before its reply is read: the command did what it should.
        }
    }

    /** Closes the socket; pending calls fail and listeners are told. Idempotent. */
    @Override
    public void close() {
        shutdown("closed by client");
    }

    private void awaitGreeting(Duration timeout) throws QmpException, InterruptedException {
        try {
            greeting.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw (QmpException) e.getCause();
        } catch (TimeoutException e) {
            throw new QmpTimeoutException("no QMP greeting from " + socket + " within " + timeout);
        }
    }

    private void readLoop() {
        String reason = "end of stream from " + socket;
        try (InputStream in = Channels.newInputStream(channel);
             MappingIterator<JsonNode> messages = JSON.readerFor(JsonNode.class).readValues(in)) {
            while (messages.hasNextValue()) {
                dispatch(messages.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            reason = closing.get() ? "closed by client" : "read from " + socket + " failed: " + e.getMessage();
        }
        shutdown(reason);
    }

    private void dispatch(JsonNode message) {
        if (message.has("QMP")) {
            JsonNode qmp = message.get("QMP");
            List<String> caps = new ArrayList<>();
            qmp.path("capabilities").forEach(c -> caps.add(c.asText()));
            greeting.complete(new QmpGreeting(QemuVersion.fromJson(qmp.path("version")), caps));
            return;
        }
        if (message.has("event")) {
            QmpEvent event = QmpEvent.fromMessage(message);
            post(l -> l.onEvent(event));
            return;
        }
        Pending call = pending.remove(message.path("id").asText());
        if (call == null) {
            return;
        }
        if (message.has("error")) {
            JsonNode error = message.get("error");
            call.reply().completeExceptionally(new QmpErrorException(call.command(),
                    error.path("class").asText("GenericError"), error.path("desc").asText("")));
            return;
        }
        call.reply().complete(message.path("return"));
    }

    private void write(JsonNode message) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (writeLock) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    private void shutdown(String reason) {
        if (!disconnected.complete(reason)) {
            return;
        }
        closing.set(true);
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is best effort; the connection is gone either way.
        }
        greeting.completeExceptionally(new QmpDisconnectedException("no QMP greeting from " + socket + ": " + reason));
        pending.keySet().forEach(id -> failPending(id, reason));
        post(l -> l.onDisconnect(reason));
        events.shutdown();
    }

    /** Queues a call of every listener on the event thread; one failing listener does not stop the others. */
    private void post(Consumer<QmpListener> call) {
        try {
            events.execute(() -> {
                for (QmpListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Already disconnected: the listeners have had their last word.
        }
    }

    private void failPending(String id, String reason) {
        Pending call = pending.remove(id);
        if (call != null) {
            call.reply().completeExceptionally(
                    new QmpDisconnectedException("QMP " + call.command() + ": monitor " + socket + " disconnected: " + reason));
        }
    }

    private static SocketChannel openWithRetry(Path socket, long deadline, BooleanSupplier keepTrying)
            throws IOException, InterruptedException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(address);
                return channel;
            } catch (IOException e) {
                channel.close();
                if (System.nanoTime() - deadline >= 0 || !keepTrying.getAsBoolean()) {
                    throw new IOException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), e);
                }
                Thread.sleep(20);
            }
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
