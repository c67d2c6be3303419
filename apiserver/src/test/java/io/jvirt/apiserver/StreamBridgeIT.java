package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The portforward bridge's ends while its flow control holds bytes back, on the real server with the JDK's WebSocket
 * client. The node agent here is this test's: it speaks the relay protocol (token line, {@code 101 ok}, raw bytes) so it
 * can stop reading or writing at will; the real relay with a pod namespace behind it is handler's PortForwardIT. Each
 * side fills every buffer on the way (its writes stall: the far end reads nothing yet), then ends; the other side then
 * reads, far slower than the bridge could hand the bytes on (4 KiB a millisecond: the bridge's flow control holds bytes
 * back when the end reaches it), and must get every byte, in order, before the end. A client gone without a close
 * frame ends the node's side.
 */
class StreamBridgeIT {
    private static final String NODE = "node-bridge";
    private static final String TOKEN = "bridge-token";
    private static final String PORTFORWARD = "/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/bridge/portforward/80/tcp";
    /** A write that makes no progress for this long has stalled: the bridge stopped reading its source. */
    private static final long STALL_MS = 1000;
    /** More than the bridge may take without pausing: it holds no transfer in memory. */
    private static final long UNBOUNDED = 256L << 20;
    private static final int CHUNK = 64 * 1024;
    /**
     * Transfers per case: in one, the end reaches the bridge while its flow control holds bytes back only most of the
     * time (where the kernel's buffers give the bridge room at the last moment, nothing is held); the bridge that let
     * its close handlers end the other side lost bytes in about half the transfers each way, in every run of four.
     */
    private static final int ROUNDS = 4;
    /** The slow readers' pace: 4 KiB a millisecond, far slower than the bridge hands bytes on. */
    private static final int PACE = 4 * 1024;

    static RunningServer server;
    static Http http;
    static ServerSocketChannel node;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        http = Http.admin(server);
        node = ServerSocketChannel.open().setOption(StandardSocketOptions.SO_RCVBUF, CHUNK).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Base64.Encoder b64 = Base64.getEncoder();
        String endpoint = b64.encodeToString(("127.0.0.1:" + node.socket().getLocalPort()).getBytes(StandardCharsets.UTF_8));
        assertEquals(201, http.post("/api/v1/namespaces/kube-system/secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"jvirt-handler-" + NODE
                + "\"},\"data\":{\"endpoint\":\"" + endpoint + "\",\"token\":\"" + b64.encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8)) + "\"}}").code());
        Http.Reply vmi = http.post("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances", "{\"apiVersion\":\"kubevirt.io/v1\","
                + "\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"bridge\"},\"spec\":{\"domain\":{\"devices\":{},\"resources\":{\"requests\":{\"memory\":\"64Mi\"}}}}}");
        assertEquals(201, vmi.code(), vmi.raw());
        Http.Reply running = http.patch("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/bridge/status", "application/merge-patch+json",
                "{\"status\":{\"phase\":\"Running\",\"nodeName\":\"" + NODE + "\"}}");
        assertEquals(200, running.code(), running.raw());
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) node.close();
        if (server != null) server.close();
    }

    @RepeatedTest(ROUNDS)
    void theNodesEndComesAfterItsLastByte() throws Exception {
        CompletableFuture<Long> sent = new CompletableFuture<>();
        Thread agent = Thread.ofVirtual().start(() -> {
            try (SocketChannel c = accept()) {
                long n = fillUntilStalled(c);
                c.shutdownOutput(); // as the relay: a half-close, then the bridge's own close
                sent.complete(n);
                ByteBuffer rest = ByteBuffer.allocate(CHUNK);
                while (c.read(rest) >= 0) rest.clear();
            } catch (Exception e) {
                sent.completeExceptionally(e);
            }
        });
        Reader reader = new Reader();
        WebSocket ws = open(reader);
        long n = sent.get(120, TimeUnit.SECONDS);
        ws.request(1); // the client reads only now: the node's end is queued behind all it still holds
        long received = reader.ended.get(120, TimeUnit.SECONDS);
        assertEquals(-1, reader.firstWrong, "byte " + reader.firstWrong + " is not the one the node sent there");
        assertEquals(n, received, "every byte the node sent reached the client before the end");
        agent.join(TimeUnit.SECONDS.toMillis(30));
    }

    @RepeatedTest(ROUNDS)
    void theClientsCloseComesAfterItsLastByte() throws Exception {
        CompletableFuture<Long> received = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Thread agent = Thread.ofVirtual().start(() -> {
            try (SocketChannel c = accept()) {
                closed.get(120, TimeUnit.SECONDS); // reads nothing until the client has closed, then slowly
                received.complete(readPattern(c));
            } catch (Exception e) {
                received.completeExceptionally(e);
            }
        });
        WebSocket ws = open(new Reader());
        long n = 0;
        CompletableFuture<WebSocket> last;
        while (true) {
            last = ws.sendBinary(pattern(n, CHUNK), true);
            n += CHUNK;
            try {
                last.get(STALL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stalled) {
                break;
            }
            assertTrue(n < UNBOUNDED, "the bridge took " + n + " bytes while the node read none");
        }
        last.thenCompose(w -> w.sendClose(WebSocket.NORMAL_CLOSURE, ""));
        closed.complete(null);
        assertEquals(n, received.get(120, TimeUnit.SECONDS), "every byte the client sent reached the node before the end");
        agent.join(TimeUnit.SECONDS.toMillis(30));
    }

    @Test
    void aClientGoneWithoutACloseFrameClosesTheNodesSide() throws Exception {
        CompletableFuture<Long> received = new CompletableFuture<>();
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        Thread agent = Thread.ofVirtual().start(() -> {
            try (SocketChannel c = accept()) {
                accepted.complete(null);
                ByteBuffer b = ByteBuffer.allocate(CHUNK);
                long n = 0;
                for (int r; (r = c.read(b)) >= 0; b.clear()) n += r;
                received.complete(n);
            } catch (Exception e) {
                received.completeExceptionally(e);
            }
        });
        WebSocket ws = open(new Reader());
        accepted.get(120, TimeUnit.SECONDS);
        ws.sendBinary(pattern(0, 100), true).get(30, TimeUnit.SECONDS);
        ws.abort(); // the connection closes, no close frame
        assertEquals(100, received.get(30, TimeUnit.SECONDS), "the node's side ends once the client is gone");
        agent.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** The bridge's connection to this node agent: its request line checked, answered {@code 101 ok}. */
    private static SocketChannel accept() throws IOException {
        SocketChannel c = node.accept();
        c.setOption(StandardSocketOptions.SO_SNDBUF, CHUNK); // small buffers on this side: shorter transfers
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder line = new StringBuilder();
        while (c.read(one) > 0 && one.get(0) != '\n') {
            line.append((char) one.get(0));
            one.clear();
        }
        assertEquals(TOKEN + " default bridge portforward 80 tcp", line.toString());
        c.write(ByteBuffer.wrap("101 ok\n".getBytes(StandardCharsets.UTF_8)));
        return c;
    }

    /** Writes the pattern until a write makes no progress for {@link #STALL_MS}; the bytes written. */
    private static long fillUntilStalled(SocketChannel c) throws IOException {
        long n = 0;
        c.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            c.register(selector, SelectionKey.OP_WRITE);
            while (true) {
                ByteBuffer b = pattern(n, CHUNK);
                while (b.hasRemaining()) {
                    int w = c.write(b);
                    n += w;
                    if (w == 0 && selector.select(STALL_MS) == 0) {
                        return n;
                    }
                    selector.selectedKeys().clear();
                }
                assertTrue(n < UNBOUNDED, "the bridge took " + n + " bytes while the client read none");
            }
        } finally {
            c.configureBlocking(true);
        }
    }

    /** Reads to the end, slowly, checking the pattern; the bytes read. */
    private static long readPattern(SocketChannel c) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(PACE);
        long n = 0;
        for (int r; (r = c.read(b)) >= 0; b.clear()) {
            CompletableFuture.runAsync(() -> { }, later(r)).get();
            for (int i = 0; i < r; i++, n++) {
                if (b.get(i) != patternByte(n)) throw new AssertionError("byte " + n + " is not the one the client sent there");
            }
        }
        return n;
    }

    /** Runs a task once a reader at {@link #PACE} would have taken {@code bytes}. */
    private static java.util.concurrent.Executor later(int bytes) {
        return CompletableFuture.delayedExecutor(Math.max(1, bytes / PACE), TimeUnit.MILLISECONDS);
    }

    private static ByteBuffer pattern(long from, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = patternByte(from + i);
        return ByteBuffer.wrap(b);
    }

    private static byte patternByte(long offset) {
        return (byte) (offset % 251);
    }

    private static WebSocket open(WebSocket.Listener listener) {
        return http.client.newWebSocketBuilder().header("Authorization", "Bearer " + http.token()).subprotocols("plain.kubevirt.io")
                .buildAsync(URI.create(http.base().replaceFirst("^https", "wss") + PORTFORWARD), listener).join();
    }

    /** Reads nothing until asked to ({@link WebSocket#request}), then everything to the close, slowly, checking the pattern. */
    private static final class Reader implements WebSocket.Listener {
        final CompletableFuture<Long> ended = new CompletableFuture<>();
        volatile long firstWrong = -1;
        private long n;

        @Override
        public void onOpen(WebSocket ws) {
            // no request: the test asks for the first message when it wants the client to read
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            java.util.concurrent.Executor next = later(data.remaining());
            while (data.hasRemaining()) {
                if (data.get() != patternByte(n) && firstWrong < 0) firstWrong = n;
                n++;
            }
            next.execute(() -> ws.request(1));
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            ended.complete(n);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ended.completeExceptionally(error);
        }
    }
}
