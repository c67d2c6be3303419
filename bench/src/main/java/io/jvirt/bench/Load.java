package io.jvirt.bench;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Timed batches of requests: indexes {@code from..to-1} sent by {@code concurrency} threads, each
 * blocking on its reply before sending the next, every reply checked. Latency is send to fully
 * received reply; throughput is requests over the summed wall time of the batches ({@link #plus}).
 */
record Load(List<Double> latenciesMs, double seconds) {
    static final Load NONE = new Load(List.of(), 0);

    /** Checks one reply; throws to fail the benchmark. */
    @FunctionalInterface
    interface Check {
        void accept(HttpResponse<byte[]> reply) throws IOException;
    }

    double opsPerSecond() {
        return latenciesMs.size() / seconds;
    }

    /** Both batches as one. */
    Load plus(Load other) {
        List<Double> all = new ArrayList<>(latenciesMs);
        all.addAll(other.latenciesMs);
        return new Load(all, seconds + other.seconds);
    }

    static Load run(KvTarget target, int from, int to, int concurrency, IntFunction<HttpRequest> request, Check check)
            throws IOException, InterruptedException {
        int count = to - from;
        double[] latencies = new double[count];
        AtomicInteger next = new AtomicInteger();
        Callable<Void> worker = () -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                HttpRequest r = request.apply(from + i);
                long start = System.nanoTime();
                HttpResponse<byte[]> reply = target.client().send(r, HttpResponse.BodyHandlers.ofByteArray());
                latencies[i] = (System.nanoTime() - start) / 1e6;
                check.accept(reply);
            }
            return null;
        };
        List<Callable<Void>> workers = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) workers.add(worker);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            long start = System.nanoTime();
            List<Future<Void>> done = pool.invokeAll(workers);
            double seconds = (System.nanoTime() - start) / 1e9;
            for (Future<Void> f : done) {
                rethrow(f);
            }
            List<Double> samples = new ArrayList<>(count);
            for (double l : latencies) samples.add(l);
            return new Load(samples, seconds);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void rethrow(Future<Void> f) throws IOException, InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof InterruptedException ie) throw ie;
            throw new IOException(e.getCause());
        }
    }
}
