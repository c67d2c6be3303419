package io.jvirt.controller.datavolume;

import io.jvirt.controller.datavolume.image.ImageRefusedException;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One running import, clone or upload into a volume: its progress (bytes of the source read out of the
 * announced total) and its end. Thread-safe: the worker writes, the reconciler reads.
 */
final class ImportJob {
    /** How a job ended. */
    sealed interface End {}

    record Done() implements End {}

    /** Refused content or request: permanent. */
    record Refused(String message) implements End {}

    /** A failure worth retrying (network, server, local I/O). */
    record Failed(String message) implements End {}

    private final AtomicLong read = new AtomicLong();
    private volatile OptionalLong total = OptionalLong.empty();
    private final CompletableFuture<End> end = new CompletableFuture<>();
    private volatile Thread worker;

    void total(OptionalLong bytes) {
        total = bytes;
    }

    void read(long bytes) {
        read.set(bytes);
    }

    /** Bytes of the source read so far. */
    long bytesRead() {
        return read.get();
    }

    /** CDI's {@code status.progress}: "45.20%", or "N/A" when the total is unknown. */
    String progress() {
        OptionalLong t = total;
        if (t.isEmpty() || t.getAsLong() <= 0) return "N/A";
        double pct = Math.min(100.0, 100.0 * read.get() / t.getAsLong());
        return String.format(java.util.Locale.ROOT, "%.2f%%", Math.floor(pct * 100) / 100);
    }

    /** Runs {@code work} on a virtual thread; {@code onEnd} is called once it ended, however. */
    ImportJob start(String name, Work work, Runnable onEnd) {
        worker = Thread.ofVirtual().name(name).start(() -> {
            try {
                work.run(this);
                end.complete(new Done());
            } catch (ImageRefusedException e) {
                end.complete(new Refused(e.getMessage()));
            } catch (InterruptedException e) {
                end.complete(new Failed("interrupted"));
            } catch (Exception e) {
                end.complete(new Failed(e.getMessage() == null ? e.toString() : e.getMessage()));
            } finally {
                onEnd.run();
            }
        });
        return this;
    }

    /** Waits for the end. */
    End await() throws InterruptedException {
        try {
            return end.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return new Failed(String.valueOf(e.getCause()));
        }
    }

    /** The end, if reached. */
    End end() {
        return end.getNow(null);
    }

    /** Stops the worker (its files are removed by the import's own failure path). */
    void cancel() {
        Thread w = worker;
        if (w != null) w.interrupt();
    }

    @FunctionalInterface
    interface Work {
        void run(ImportJob job) throws Exception;
    }
}
