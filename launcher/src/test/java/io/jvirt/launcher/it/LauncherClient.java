package io.jvirt.launcher.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.jvirt.launcher.domain.DomainEvent;
import io.jvirt.launcher.domain.DomainState;
import io.jvirt.launcher.protocol.Command;
import io.jvirt.launcher.protocol.Message;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The node agent's side of the launcher protocol, as the tests use it: requests out, responses and events in. */
final class LauncherClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final SocketChannel channel;
    private final OutputStream out;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Message.Response>> pending = new ConcurrentHashMap<>();
    final BlockingQueue<DomainEvent> events = new LinkedBlockingQueue<>();

    private LauncherClient(SocketChannel channel) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        Thread.ofPlatform().daemon().name("launcher-client-reader").start(this::readLoop);
    }

    static LauncherClient connect(Path socket, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                return new LauncherClient(ch);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("launcher socket " + socket + " did not answer within " + timeout, e);
                }
                Thread.sleep(100);
            }
        }
    }

    Message.Response send(Command command) throws Exception {
        return sendRaw(Message.VERSION, command);
    }

    Message.Response sendRaw(int version, Command command) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<Message.Response> reply = new CompletableFuture<>();
        pending.put(id, reply);
        byte[] line = (JSON.writeValueAsString(new Message.Request(version, id, command)) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(line);
            out.flush();
        }
        return reply.get(60, TimeUnit.SECONDS);
    }

    /** Sends and insists on success. */
    Message.Response ok(Command command) throws Exception {
        Message.Response r = send(command);
        if (!r.ok()) {
            throw new AssertionError(command + " failed: " + r.error());
        }
        return r;
    }

    /** Waits for the event moving the domain to {@code state}, skipping others. */
    DomainEvent awaitState(DomainState state, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            DomainEvent e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + state + " event within " + timeout);
            }
            if (e.state() == state) {
                return e;
            }
        }
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Message m = JSON.readValue(line, Message.class);
                switch (m) {
                    case Message.Response r -> {
                        CompletableFuture<Message.Response> f = pending.remove(r.id());
                        if (f != null) {
                            f.complete(r);
                        }
                    }
                    case Message.Event e -> events.add(e.event());
                    case Message.Request r -> { }
                }
            }
        } catch (IOException e) {
            // launcher went away
        }
        pending.values().forEach(f -> f.completeExceptionally(new IOException("launcher closed the connection")));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
