package io.jvirt.handler.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes one pod log to a relay connection: the whole file or its last {@code tailLines} lines, then,
 * with {@code follow}, what is appended until the pod ends (the rest is drained) or the peer closes.
 */
final class LogStreamer {
    private static final int CHUNK = 16 * 1024;
    private static final long POLL_MS = 200;

    private LogStreamer() {}

    static void stream(PodLogs.LogFile log, int tailLines, boolean follow, InputStream peerIn, OutputStream out)
            throws IOException, InterruptedException {
        AtomicBoolean peerGone = new AtomicBoolean();
        if (follow) {
            Thread.ofVirtual().name("relay-log-peer").start(() -> {
                try {
                    while (peerIn.read() != -1) { /* nothing is expected from the peer */ }
                } catch (IOException e) {
                    // closed
                }
                peerGone.set(true);
            });
        }
        try (RandomAccessFile f = new RandomAccessFile(log.file().toFile(), "r")) {
            long pos = tailLines < 0 ? 0 : startOfLastLines(f, tailLines);
            pos = copyFrom(f, pos, out);
            while (follow && !peerGone.get()) {
                boolean ended = log.ended().getAsBoolean();
                long next = copyFrom(f, pos, out);
                if (ended && next == pos) return;
                if (next == pos) Thread.sleep(POLL_MS);
                pos = next;
            }
        }
    }

    /** Copies from {@code pos} to the current end; the new position. */
    private static long copyFrom(RandomAccessFile f, long pos, OutputStream out) throws IOException {
        byte[] buf = new byte[CHUNK];
        f.seek(pos);
        int n;
        while ((n = f.read(buf)) > 0) {
            out.write(buf, 0, n);
            pos += n;
        }
        out.flush();
        return pos;
    }

    /** The offset where the last {@code lines} lines begin (a trailing newline ends the last line, it starts none). */
    static long startOfLastLines(RandomAccessFile f, int lines) throws IOException {
        long end = f.length();
        if (lines == 0) return end;
        int seen = 0;
        byte[] buf = new byte[CHUNK];
        long p = end;
        while (p > 0) {
            int len = (int) Math.min(CHUNK, p);
            p -= len;
            f.seek(p);
            f.readFully(buf, 0, len);
            for (int i = len - 1; i >= 0; i--) {
                if (buf[i] != '\n' || p + i == end - 1) continue;
                if (++seen == lines) return p + i + 1;
            }
        }
        return 0;
    }
}
