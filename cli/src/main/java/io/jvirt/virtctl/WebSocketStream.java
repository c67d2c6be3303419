package io.jvirt.virtctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A byte stream over one WebSocket (binary frames both ways), as KubeVirt's console and VNC
 * subresources carry the serial and RFB bytes. {@link #in()} ends when the server closes.
 */
final class WebSocketStream implements WebSocket.Listener, AutoCloseable {
    private static final byte[] EOF = new byte[0];
    private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    private volatile WebSocket ws;
    private final InputStream in = new InputStream() {
        private byte[] current = new byte[0];
        private int pos;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (current != EOF && pos == current.length) {
                try {
                    current = frames.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                pos = 0;
                if (current == EOF) {
                    frames.add(EOF); // every later read sees the end too
                }
            }
            if (current == EOF) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    };
    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                ws.sendBinary(ByteBuffer.wrap(b, off, len).slice(), true).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("the connection closed: " + e.getMessage(), e);
            }
        }
    };

    void attach(WebSocket ws) {
        this.ws = ws;
    }

    InputStream in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        frames.add(b);
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
        frames.add(EOF);
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        frames.add(EOF);
    }

    @Override
    public void close() {
        WebSocket w = ws;
        if (w != null) {
            w.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            w.abort();
        }
        frames.add(EOF);
    }
}
