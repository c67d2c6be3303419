package io.jvirt.handler;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A client of a unix-socket serial console: collects everything the guest writes. */
public final class Console implements AutoCloseable {
    private final SocketChannel channel;
    private final StringBuffer seen = new StringBuffer();

    private Console(SocketChannel channel) {
        this.channel = channel;
        Thread.ofPlatform().daemon().name("console-reader").start(this::readLoop);
    }

    public static Console connect(Path socket, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                return new Console(ch);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** Waits until the output (from {@code from} on) contains {@code text}; returns the index after it. */
    public int await(String text, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int at = seen.indexOf(text, from);
            if (at >= 0) {
                return at + text.length();
            }
            Thread.sleep(50);
        }
        String all = seen.toString();
        throw new AssertionError("console did not show '" + text + "' within " + timeout + "; last output: "
                + all.substring(Math.max(0, all.length() - 600)));
    }

    public int length() {
        return seen.length();
    }

    public String text() {
        return seen.toString();
    }

    public void type(String text) throws IOException {
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        try {
            while (channel.read(buf.clear()) >= 0) {
                seen.append(new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
