package io.jvirt.launcher.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.jvirt.launcher.domain.DomainEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Serves the launcher protocol on a unix socket (mode 0600): reads {@link Message.Request} lines,
 * checks version and legality, hands the command to the {@link Handler}, writes the
 * {@link Message.Response}; {@link #publish} sends an {@link Message.Event} to every client.
 * One virtual thread per client. Thread-safe; {@link #close()} is idempotent.
 */
public final class LauncherServer implements AutoCloseable {
    /** Carries out one legal command; returns its result (or null) or throws with a message for the client. */
    @FunctionalInterface
    public interface Handler {
        JsonNode handle(Command command) throws Exception;
    }

    /** Reports the current domain state, for the legality check. */
    @FunctionalInterface
    public interface StateSource {
        io.jvirt.launcher.domain.DomainState state();
    }

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final ServerSocketChannel server;
    private final Handler handler;
    private final StateSource states;
    private final List<Client> clients = new CopyOnWriteArrayList<>();

    private record Client(SocketChannel channel, OutputStream out) {}

    private LauncherServer(ServerSocketChannel server, Handler handler, StateSource states) {
        this.server = server;
        this.handler = handler;
        this.states = states;
    }

    /** Binds {@code socket} (replacing a stale one), restricts it to the owner, and starts accepting. */
    public static LauncherServer start(Path socket, StateSource states, Handler handler) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        LauncherServer s = new LauncherServer(server, handler, states);
        Thread.ofVirtual().name("launcher-accept").start(s::acceptLoop);
        return s;
    }

    /** Sends {@code event} to every connected client; clients that fail are dropped. */
    public void publish(DomainEvent event) {
        for (Client c : clients) {
            send(c, new Message.Event(Message.VERSION, event));
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel channel = server.accept();
                Client client = new Client(channel, Channels.newOutputStream(channel));
                clients.add(client);
                Thread.ofVirtual().name("launcher-client").start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Client client) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client.channel()), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    send(client, answer(line));
                }
            }
        } catch (IOException e) {
            // client went away
        } finally {
            drop(client);
        }
    }

    Message.Response answer(String line) {
        Message.Request request;
        try {
            Message message = JSON.readValue(line, Message.class);
            if (!(message instanceof Message.Request r)) {
                return error(0, "only requests are accepted");
            }
            request = r;
        } catch (IOException e) {
            return error(0, "malformed request: " + e.getMessage());
        }
        if (request.version() != Message.VERSION) {
            return error(request.id(), "unsupported protocol version " + request.version() + " (this launcher speaks " + Message.VERSION + ")");
        }
        if (request.command() == null) {
            return error(request.id(), "request without command");
        }
        var state = states.state();
        if (!request.command().legalIn().contains(state)) {
            return error(request.id(), request.command().getClass().getSimpleName() + " is not legal in state " + state
                    + " (legal in " + request.command().legalIn() + ")");
        }
        try {
            return new Message.Response(Message.VERSION, request.id(), true, handler.handle(request.command()), null);
        } catch (Exception e) {
            return error(request.id(), e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static Message.Response error(long id, String message) {
        return new Message.Response(Message.VERSION, id, false, null, message);
    }

    private void send(Client client, Message message) {
        try {
            byte[] line = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (client) {
                client.out().write(line);
                client.out().flush();
            }
        } catch (IOException e) {
            drop(client);
        }
    }

    private void drop(Client client) {
        clients.remove(client);
        try {
            client.channel().close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        clients.forEach(this::drop);
    }
}
