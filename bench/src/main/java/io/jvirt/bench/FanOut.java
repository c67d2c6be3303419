package io.jvirt.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;

/**
 * Watch fan-out on one target: {@code watchers} concurrent streaming watches on one group while a
 * single writer updates object 0 of it. {@link #open} starts the watches and sends sync updates
 * until every watcher has seen one (so all are established); then {@link #paced} updates, each
 * waiting until all watchers received it (delivery latency without queueing), then one
 * {@link #burst} of updates back to back (delivered events/s). Each event is recognised by the
 * sequence number its update set; a watcher that misses an event fails the run. Not thread-safe:
 * one caller drives it; {@link #close} ends all watches.
 */
final class FanOut implements AutoCloseable {
    private static final int SYNC = 20;
    private static final Duration SYNC_WAIT = Duration.ofSeconds(2);
    private static final Duration EVENT_WAIT = Duration.ofSeconds(10);
    private static final Duration BURST_WAIT = Duration.ofSeconds(60);

    /**
     * @param ackToEventMs  per watcher and paced update: write acknowledged (reply received by the
     *                      writer) to event received by the watcher; negative when the watcher got
     *                      the event before the writer got its reply
     * @param sendToEventMs per watcher and paced update: write sent to event received
     */
    record Result(List<Double> ackToEventMs, List<Double> sendToEventMs, double eventsPerSecond) {}

    private final KvTarget target;
    private final String group;
    private final int paced;
    private final int burst;
    private final long[][] received;
    private final CountDownLatch[] seen;
    private final long[] sent;
    private final long[] acked;
    private final AtomicReferenceArray<Stream<String>> streams;
    private final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private int pacedDone;
    private long burstStart;

    private FanOut(KvTarget target, String group, int watchers, int paced, int burst) {
        this.target = target;
        this.group = group;
        this.paced = paced;
        this.burst = burst;
        int slots = SYNC + paced + burst;
        received = new long[watchers][slots];
        seen = new CountDownLatch[slots];
        for (int s = 0; s < slots; s++) seen[s] = new CountDownLatch(watchers);
        sent = new long[slots];
        acked = new long[slots];
        streams = new AtomicReferenceArray<>(watchers);
    }

    /** Starts the watches on {@code group} (whose object 0 must exist) and returns once all are established. */
    static FanOut open(KvTarget target, String group, int watchers, int paced, int burst) throws IOException, InterruptedException {
        FanOut f = new FanOut(target, group, watchers, paced, burst);
        try {
            HttpRequest watch = target.watch(group);
            for (int w = 0; w < watchers; w++) {
                int watcher = w;
                f.threads.add(Thread.ofVirtual().name("bench-watch-" + w).start(() -> f.follow(watch, watcher)));
            }
            f.sync();
            return f;
        } catch (IOException | InterruptedException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** The next paced update: sends it and waits until every watcher received it. */
    void paced() throws IOException, InterruptedException {
        if (pacedDone == paced) throw new IllegalStateException("all " + paced + " paced updates done");
        int s = SYNC + pacedDone++;
        sent[s] = System.nanoTime();
        update(s);
        acked[s] = System.nanoTime();
        await(s, EVENT_WAIT.toNanos(), "paced");
    }

    /** The burst: all its updates back to back, then waits until every watcher received them all. */
    void burst() throws IOException, InterruptedException {
        burstStart = System.nanoTime();
        for (int s = SYNC + paced; s < seen.length; s++) update(s);
        long deadline = System.nanoTime() + BURST_WAIT.toNanos();
        for (int s = SYNC + paced; s < seen.length; s++) await(s, deadline - System.nanoTime(), "burst");
    }

    /** The figures, after all {@link #paced} updates and the {@link #burst}. */
    Result result() {
        if (pacedDone < paced || burstStart == 0) throw new IllegalStateException("not measured yet");
        List<Double> fromAck = new ArrayList<>();
        List<Double> fromSend = new ArrayList<>();
        long lastReceived = 0;
        for (long[] row : received) {
            for (int s = SYNC; s < SYNC + paced; s++) {
                fromAck.add((row[s] - acked[s]) / 1e6);
                fromSend.add((row[s] - sent[s]) / 1e6);
            }
            for (int s = SYNC + paced; s < seen.length; s++) lastReceived = Math.max(lastReceived, row[s]);
        }
        double burstSeconds = (lastReceived - burstStart) / 1e9;
        return new Result(fromAck, fromSend, (double) received.length * burst / burstSeconds);
    }

    private void await(int slot, long nanos, String what) throws IOException, InterruptedException {
        if (!seen[slot].await(Math.max(0, nanos), TimeUnit.NANOSECONDS)) {
            throw new IOException(target.label() + ": " + seen[slot].getCount() + " of " + received.length
                    + " watchers did not get " + what + " update " + slot + " " + failures);
        }
    }

    /** One watcher: records when it first sees each sequence number, until its stream ends. */
    private void follow(HttpRequest watch, int watcher) {
        long[] mine = received[watcher];
        try {
            HttpResponse<Stream<String>> reply = target.client().send(watch, HttpResponse.BodyHandlers.ofLines());
            streams.set(watcher, reply.body());
            if (reply.statusCode() != 200) {
                failures.add(new IOException(target.label() + " watch: " + reply.statusCode()));
                return;
            }
            for (Iterator<String> lines = reply.body().iterator(); lines.hasNext(); ) {
                String line = lines.next();
                long now = System.nanoTime();
                target.updatesIn(line, seq -> {
                    if (seq < mine.length && mine[seq] == 0) {
                        mine[seq] = now;
                        seen[seq].countDown();
                    }
                });
            }
        } catch (IOException | UncheckedIOException e) {
            failures.add(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends sync updates until one reached every watcher. */
    private void sync() throws IOException, InterruptedException {
        for (int s = 0; s < SYNC; s++) {
            update(s);
            if (seen[s].await(SYNC_WAIT.toMillis(), TimeUnit.MILLISECONDS)) return;
        }
        throw new IOException(target.label() + ": watchers not all established after " + SYNC + " sync updates " + failures);
    }

    private void update(int seq) throws IOException, InterruptedException {
        HttpResponse<byte[]> reply = target.client().send(target.update(group, 0, seq), HttpResponse.BodyHandlers.ofByteArray());
        target.check(KvTarget.Op.UPDATE, reply);
    }

    @Override
    public void close() {
        for (int w = 0; w < streams.length(); w++) {
            Stream<String> s = streams.get(w);
            if (s != null) s.close();
        }
        for (Thread t : threads) t.interrupt();
        try {
            for (Thread t : threads) t.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
