package io.jvirt.handler.relay;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import io.jvirt.handler.vmi.Supervisor;

/**
 * The node agent's relay endpoint on 127.0.0.1 (a free port). {@link #publish} writes Secret
 * {@code kube-system/jvirt-handler-<node>} with {@code endpoint} (host:port) and {@code token} (random,
 * new at every start); the API server reads it to reach this node. Each connection sends one
 * {@link RelayRequest} line; a wrong token gets 401, an unknown VMI 404 "VMI is not running on this
 * node", then {@link VmiActions} on the VM's supervisor or, for console/vnc, "101 ok" and a raw byte
 * relay to QEMU's own {@code serial.sock} / {@code vnc.sock}; {@code log} streams a pod's {@code compute.log}
 * found by the pod's name and uid among the pods this agent runs ({@link PodLogs}, {@link LogStreamer}),
 * or answers 404 "pod ... is not running on this node"; {@code metrics} answers "101 ok" and this node's metrics in
 * Prometheus' text format, then closes; {@code portforward <port> tcp} connects to that port of the VMI's guest from inside
 * its pod's network namespace ({@link GuestEndpoint}) and, once connected, answers "101 ok" and relays bytes (409 with the
 * reason when the connection fails). One virtual thread per connection (two for relays).
 */
public final class RelayServer implements AutoCloseable {
    private static final int MAX_HEADER = 1024;
    private static final System.Logger LOG = System.getLogger(RelayServer.class.getName());

    /** This node's metrics in Prometheus' text format, read at each call; its usage as NodeUsage JSON. */
    public interface NodeMetricsText {
        byte[] scrape() throws InterruptedException;

        /** The {@code io.jvirt.api.metrics.NodeUsage} JSON, or empty before the sampler has two samples. */
        java.util.Optional<byte[]> usage();
    }

    private final ServerSocket server;
    private final String token;
    private final BiFunction<String, String, Optional<Supervisor>> vms;
    private final PodLogs podLogs;
    private final NodeMetricsText metrics;
    private final GuestEndpoint.Lookup guests;
    private volatile boolean closed;

    /**
     * @param vms (namespace, VMI name) → the VM's supervisor when the VMI runs here
     * @param podLogs the log files of the pods this agent runs (action {@code log})
     * @param metrics this node's metrics in Prometheus' text format, read at each call (action {@code metrics})
     * @param guests where the guests of this node's VMIs are reached (action {@code portforward})
     */
    public RelayServer(BiFunction<String, String, Optional<Supervisor>> vms, PodLogs podLogs, NodeMetricsText metrics,
            GuestEndpoint.Lookup guests) throws IOException {
        this.vms = vms;
        this.guests = guests;
        this.podLogs = podLogs;
        this.metrics = metrics;
        byte[] t = new byte[24];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("relay-accept").start(this::acceptLoop);
    }

    /** Name of the Secret in kube-system that publishes the endpoint of {@code nodeName}. */
    public static String secretName(String nodeName) {
        return "jvirt-handler-" + nodeName;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Creates or replaces this node's Secret with endpoint and token. */
    public void publish(KubernetesClient client, String nodeName) {
        Secret s = new SecretBuilder().withNewMetadata().withName(secretName(nodeName)).withNamespace("kube-system")
                .addToLabels("kubevirt.io", "virt-handler").endMetadata()
                .withType("Opaque")
                .withData(Map.of("endpoint", base64("127.0.0.1:" + port()), "token", base64(token)))
                .build();
        client.secrets().inNamespace("kube-system").resource(s).createOr(existing -> existing.update());
    }

    private static String base64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().name("relay-conn").start(() -> serve(s));
            } catch (IOException e) {
                if (!closed) LOG.log(System.Logger.Level.WARNING, "relay accept: " + e.getMessage());
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            Optional<RelayRequest> parsed = RelayRequest.parse(readLine(in));
            if (parsed.isEmpty()) {
                reply(out, new RelayReply(400, "malformed relay request"));
                return;
            }
            RelayRequest r = parsed.get();
            if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), r.token().getBytes(StandardCharsets.UTF_8))) {
                reply(out, new RelayReply(401, "bad relay token"));
                return;
            }
            if (r.action().equals("usage")) {
                Optional<byte[]> usage = metrics.usage();
                if (usage.isEmpty()) {
                    reply(out, new RelayReply(503, "no usage figures yet: the node samples every few seconds"));
                    return;
                }
                reply(out, new RelayReply(101, "ok"));
                out.write(usage.get());
                out.flush();
                return;
            }
            if (r.action().equals("metrics")) {
                byte[] text;
                try {
                    text = metrics.scrape();
                } catch (RuntimeException e) {
                    reply(out, new RelayReply(500, "metrics: " + e.getMessage()));
                    return;
                }
                reply(out, new RelayReply(101, "ok"));
                out.write(text);
                out.flush();
                return;
            }
            if (r.action().equals("log")) {
                Optional<PodLogs.LogFile> log = podLogs.find(r.namespace(), r.name(), r.podUid());
                if (log.isEmpty()) {
                    reply(out, new RelayReply(404, "pod " + r.name() + " is not running on this node"));
                    return;
                }
                reply(out, new RelayReply(101, "ok"));
                LogStreamer.stream(log.get(), r.tailLines(), r.follow(), in, out);
                return;
            }
            if (r.action().equals("portforward")) {
                forward(r, s, in, out);
                return;
            }
            Optional<Supervisor> vm = vms.apply(r.namespace(), r.name());
            if (vm.isEmpty()) {
                reply(out, new RelayReply(404, "VMI is not running on this node"));
                return;
            }
            if (!r.streams()) {
                reply(out, VmiActions.run(vm.get(), r.action()));
                return;
            }
            Path socket = r.action().equals("console") ? vm.get().runDirectory().serialSocket() : vm.get().runDirectory().vncSocket();
            SocketChannel unix;
            try {
                unix = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                reply(out, new RelayReply(409, "cannot connect to the " + r.action() + " of the VMI: " + e.getMessage()));
                return;
            }
            try (unix) {
                reply(out, new RelayReply(101, "ok"));
                Thread up = Thread.ofVirtual().start(() -> copy(in, Channels.newOutputStream(unix), () -> close(unix)));
                copy(Channels.newInputStream(unix), out, () -> shutdownOutputOf(s)); // a half-close: the bytes ahead of it still arrive
                up.join(); // until the API server closes its side, which it does once the client's is over
            }
        } catch (IOException e) {
            // peer gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** portforward: connect to the guest's port inside its pod's namespace, then relay bytes (half-closes pass through). */
    private void forward(RelayRequest r, Socket s, InputStream in, OutputStream out) throws IOException, InterruptedException {
        Socket target;
        try {
            Optional<GuestEndpoint> guest = guests.find(r.namespace(), r.name());
            if (guest.isEmpty()) {
                reply(out, new RelayReply(404, "VMI is not running on this node"));
                return;
            }
            target = guest.get().connect(r.port());
        } catch (IOException e) {
            reply(out, RelayReply.conflict("cannot connect to port " + r.port() + " of the VMI's guest: " + e.getMessage()));
            return;
        }
        try (target) {
            reply(out, new RelayReply(101, "ok"));
            Thread up = Thread.ofVirtual().start(() -> copy(in, outputOf(target), () -> shutdownOutputOf(target)));
            copy(target.getInputStream(), out, () -> shutdownOutputOf(s));
            up.join();
        }
    }

    private static OutputStream outputOf(Socket s) {
        try {
            return s.getOutputStream();
        } catch (IOException e) {
            return OutputStream.nullOutputStream();
        }
    }

    private static void shutdownOutputOf(Socket s) {
        try {
            s.shutdownOutput();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void copy(InputStream from, OutputStream to, Runnable atEnd) {
        byte[] buf = new byte[16 * 1024];
        try {
            int n;
            while ((n = from.read(buf)) > 0) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // either side closed
        } finally {
            atEnd.run();
        }
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void reply(OutputStream out, RelayReply reply) throws IOException {
        out.write(reply.line().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (b.size() >= MAX_HEADER) return null;
            b.write(c);
        }
        return c == -1 ? null : b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
