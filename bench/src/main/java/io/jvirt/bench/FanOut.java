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
 * Watch fan-out: {@code watchers} concurrent streaming watches on one group while a single writer
 * updates one object of it. First a few sync updates until every watcher has seen one (so all
 * watches are established), then {@code paced} updates each waiting until all watchers received it
 * (delivery latency without queueing), then {@code burst} updates back to back (delivered
 * events/s). Each event is recognised by the sequence number the update set. A watcher that misses
 * an event fails the run. All watches are closed when {@link #run} returns or throws.
 *
 * @param ackToEventMs  per watcher and paced update: write acknowledged (reply received by the
 *                      writer) to event received by the watcher; negative when the watcher got the
 *                      event before the writer got its reply
 * @param sendToEventMs per watcher and paced update: write sent to event received
 */
record FanOut(List<Double> ackToEventMs, List<Double> sendToEventMs, double eventsPerSecond) {
    private static final int SYNC = 20;
    private static final Duration SYNC_WAIT = Duration.ofSeconds(2);
    private static final Duration EVENT_WAIT = Duration.ofSeconds(10);
    private static final Duration BURST_WAIT = Duration.ofSeconds(60);

    /** Object 0 of {@code group} must exist. */
    static FanOut run(KvTarget target, String group, int watchers, int paced, int burst) throws IOException, InterruptedException {
        int slots = SYNC + paced + burst;
        long[][] received = new long[watchers][slots];
        CountDownLatch[] seen = new CountDownLatch[slots];
        for (int s = 0; s < slots; s++) seen[s] = new CountDownLatch(watchers);
        AtomicReferenceArray<Stream<String>> streams = new AtomicReferenceArray<>(watchers);
        ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        HttpRequest watch = target.watch(group);
        try {
            for (int w = 0; w < watchers; w++) {
                int watcher = w;
                threads.add(Thread.ofVirtual().name("bench-watch-" + w).start(
                        () -> follow(target, watch, streams, watcher, received[watcher], seen, failures)));
            }
            sync(target, group, seen, failures);
            long[] sent = new long[slots];
            long[] acked = new long[slots];
            for (int s = SYNC; s < SYNC + paced; s++) {
                sent[s] = System.nanoTime();
                update(target, group, s);
                acked[s] = System.nanoTime();
                if (!seen[s].await(EVENT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IOException(target.label() + ": " + seen[s].getCount() + " of " + watchers + " watchers did not get update " + s + failures);
                }
            }
            long burstStart = System.nanoTime();
            for (int s = SYNC + paced; s < slots; s++) update(target, group, s);
            long deadline = System.nanoTime() + BURST_WAIT.toNanos();
            for (int s = SYNC + paced; s < slots; s++) {
                if (!seen[s].await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new IOException(target.label() + ": " + seen[s].getCount() + " of " + watchers + " watchers did not get burst update " + s + failures);
                }
            }
            List<Double> fromAck = new ArrayList<>();
            List<Double> fromSend = new ArrayList<>();
            long lastReceived = 0;
            for (long[] row : received) {
                for (int s = SYNC; s < SYNC + paced; s++) {
                    fromAck.add((row[s] - acked[s]) / 1e6);
                    fromSend.add((row[s] - sent[s]) / 1e6);
                }
                for (int s = SYNC + paced; s < slots; s++) lastReceived = Math.max(lastReceived, row[s]);
            }
            double burstSeconds = (lastReceived - burstStart) / 1e9;
            return new FanOut(fromAck, fromSend, (double) watchers * burst / burstSeconds);
        } finally {
            for (int w = 0; w < watchers; w++) {
                Stream<String> s = streams.get(w);
                if (s != null) s.close();
            }
            for (Thread t : threads) t.interrupt();
            for (Thread t : threads) t.join(2_000);
        }
    }

    /** One watcher: records when it first sees each sequence number, until its stream ends. */
    private static void follow(KvTarget target, HttpRequest watch, AtomicReferenceArray<Stream<String>> streams, int watcher,
                               long[] received, CountDownLatch[] seen, ConcurrentLinkedQueue<Exception> failures) {
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
                    if (seq < received.length && received[seq] == 0) {
                        received[seq] = now;
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
    private static void sync(KvTarget target, String group, CountDownLatch[] seen, ConcurrentLinkedQueue<Exception> failures)
            throws IOException, InterruptedException {
        for (int s = 0; s < SYNC; s++) {
            update(target, group, s);
            if (seen[s].await(SYNC_WAIT.toMillis(), TimeUnit.MILLISECONDS)) return;
        }
        throw new IOException(target.label() + ": watchers not all established after " + SYNC + " sync updates " + failures);
    }

    private static void update(KvTarget target, String group, int seq) throws IOException, InterruptedException {
        HttpResponse<byte[]> reply = target.client().send(target.update(group, 0, seq), HttpResponse.BodyHandlers.ofByteArray());
        target.check(KvTarget.Op.UPDATE, reply);
    }
}
