package io.jvirt.controller.datavolume.image;

import io.jvirt.qemu.img.Unprivileged;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * xz data decoded by Debian's {@code xz} (liblzma), as a stream: a thread feeds the compressed bytes to
 * {@code xz --decompress --stdout}, the caller reads what it writes. liblzma decodes about twice as fast as the Java
 * decoder on these machines (bench/run import), and with {@code --threads=0} decodes a multi-block file (what
 * {@code xz -T0} writes) on several cores. The argv is fixed here; nothing of the content reaches it. A declared
 * dictionary above {@value #MEMLIMIT} is refused by xz itself, so a crafted header cannot make it allocate the
 * host's memory. Given an {@link Unprivileged} user, xz runs as that user without network ({@link Unprivileged#argv}):
 * it reaches nothing but its two pipes.
 *
 * <p>The end of the stream is checked: when xz fails on content that was read to its end (corrupt, truncated, too
 * much memory), the read throws {@link ImageRefusedException} with xz's message; when reading the source failed (the
 * network), that {@link IOException} is thrown instead, so the caller may retry. An interrupt of the reading thread
 * stops xz and the feeder. One reader; {@link #close} ends the process.
 */
final class XzProcess extends InputStream {
    static final Path XZ = Path.of("/usr/bin/xz");
    static final String MEMLIMIT = "1GiB";
    private static final int FEED = 1 << 18;

    private final Process process;
    private final InputStream decoded;
    private final Thread reader = Thread.currentThread();
    private final CompletableFuture<String> stderr;
    private volatile IOException sourceFailure;
    private boolean ended;

    private XzProcess(InputStream compressed, Unprivileged user) throws IOException {
        List<String> command = List.of(XZ.toString(), "--decompress", "--stdout", "--threads=0", "--memlimit-decompress=" + MEMLIMIT);
        process = new ProcessBuilder(user == null ? command : user.argv(command, Unprivileged.Limits.NONE)).directory(new java.io.File("/"))
                .start();
        decoded = process.getInputStream();
        stderr = CompletableFuture.supplyAsync(() -> {
            try (InputStream err = process.getErrorStream()) {
                return new String(err.readAllBytes(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                return "";
            }
        }, Thread::startVirtualThread);
        Thread.ofPlatform().daemon().name("xz-feed").start(() -> feed(compressed));
    }

    /** The decoded content of {@code compressed} (read by the feeder thread until its end), xz run as {@code user} (null: as the caller). */
    static InputStream decoding(InputStream compressed, Unprivileged user) throws IOException {
        return new XzProcess(compressed, user);
    }

    private void feed(InputStream compressed) {
        byte[] buf = new byte[FEED];
        try (OutputStream stdin = process.getOutputStream()) {
            while (true) {
                if (reader.isInterrupted()) {
                    process.destroyForcibly();
                    return;
                }
                int n;
                try {
                    n = compressed.read(buf);
                } catch (IOException e) {
                    sourceFailure = e;
                    process.destroyForcibly();
                    return;
                }
                if (n < 0) return;
                stdin.write(buf, 0, n);
            }
        } catch (IOException writeFailed) {
            // xz stopped reading: it failed (its exit status says why) or the reader closed this stream
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (ended) return -1;
        int n = decoded.read(b, off, len);
        if (n >= 0) return n;
        ended = true;
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while xz ended");
        }
        if (sourceFailure != null) throw sourceFailure;
        if (reader.isInterrupted()) throw new InterruptedIOException("interrupted");
        if (exit != 0) throw new ImageRefusedException("the xz data cannot be decoded: " + stderr.join());
        return -1;
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        decoded.close();
    }
}
