package io.jvirt.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The embedded API server against etcd, both on loopback, same workload, same client (JDK
 * HttpClient, HTTP/1.1 unless a figure says h2): {@value #N} sequential creates, gets, {@value #LIST_ROUNDS}
 * lists of all {@value #N}, {@value #N} creates and gets by {@value #CONCURRENCY} threads, and a watch
 * fan-out to {@value #WATCHERS} watchers. Every jvirt figure names its etcd counterpart as baseline.
 * Phases alternate between the two servers so a busy machine hurts both alike; each server gets
 * an unmeasured warm-up first. jvirt runs in this JVM (its CPU is shared with the client), etcd in
 * its own process.
 */
final class ApiServerBench implements Benchmark {
    static final int N = 1_000;
    static final int CONCURRENCY = 16;
    static final int LIST_ROUNDS = 5;
    static final int WARMUP = 300;
    static final int WATCHERS = 100;
    static final int PACED_UPDATES = 40;
    static final int BURST_UPDATES = 200;

    @Override
    public String name() {
        return "apiserver";
    }

    @Override
    public String description() {
        return "jvirt API server (in-process, HTTPS + bearer token, VirtualMachine CR: validation, defaults, SQLite fsync) vs etcd 3.4"
                + " (own process, plain HTTP JSON gateway, no TLS, no auth, same VM JSON stored as is); latencies in ms, throughput in ops/s;"
                + " JDK HttpClient HTTP/1.1 unless 'h2'";
    }

    @Override
    public List<Figure> run() throws Exception {
        try (JvirtTarget jvirt = JvirtTarget.start(); JvirtTarget jvirtH2 = jvirt.over(HttpClient.Version.HTTP_2, "jvirt h2");
             EtcdTarget etcd = EtcdTarget.start()) {
            List<Figure> figures = new ArrayList<>();
            List<KvTarget> both = List.of(etcd, jvirt);
            warmUp(etcd, "warm");
            warmUp(jvirt, "warm");
            warmUp(jvirtH2, "warm-h2");
            for (KvTarget t : both) t.prepare("seq");
            jvirt.prepare("conc");
            jvirt.prepare("conc-h2");
            jvirt.prepare("watch");

            compare(figures, both, "create seq", t -> load(t, 1, KvTarget.Op.CREATE, i -> t.create("seq", i)));
            compare(figures, both, "get seq", t -> load(t, 1, KvTarget.Op.GET, i -> t.get("seq", i)));
            compare(figures, both, "list " + N + " seq", t -> Load.run(t, LIST_ROUNDS, 1, i -> t.list("seq"), reply -> {
                t.check(KvTarget.Op.LIST, reply);
                int listed = t.listed(reply.body());
                if (listed != N) throw new IOException(t.label() + " listed " + listed + " objects, not " + N);
            }));
            compare(figures, List.of(etcd, jvirt, jvirtH2), "create x" + CONCURRENCY,
                    t -> load(t, CONCURRENCY, KvTarget.Op.CREATE, i -> t.create(t == jvirtH2 ? "conc-h2" : "conc", i)));
            compare(figures, List.of(etcd, jvirt, jvirtH2), "get x" + CONCURRENCY,
                    t -> load(t, CONCURRENCY, KvTarget.Op.GET, i -> t.get("seq", i)));
            fanOut(figures, both);
            printPercentiles(figures);
            return figures;
        }
    }

    /** Unmeasured: opens connections and warms the JIT on both sides (creates, gets, lists in {@code group}). */
    private static void warmUp(KvTarget t, String group) throws IOException, InterruptedException {
        t.prepare(group);
        load(t, CONCURRENCY, KvTarget.Op.CREATE, WARMUP, i -> t.create(group, i));
        load(t, CONCURRENCY, KvTarget.Op.GET, WARMUP, i -> t.get(group, i));
        load(t, 1, KvTarget.Op.LIST, 3, i -> t.list(group));
    }

    private static Load load(KvTarget t, int concurrency, KvTarget.Op op, IntFunction<HttpRequest> request)
            throws IOException, InterruptedException {
        return load(t, concurrency, op, N, request);
    }

    private static Load load(KvTarget t, int concurrency, KvTarget.Op op, int count, IntFunction<HttpRequest> request)
            throws IOException, InterruptedException {
        return Load.run(t, count, concurrency, request, reply -> t.check(op, reply));
    }

    @FunctionalInterface
    private interface Phase {
        Load run(KvTarget target) throws IOException, InterruptedException;
    }

    /** Runs {@code phase} on each target (the first is the baseline) and adds latency and throughput figures. */
    private static void compare(List<Figure> figures, List<KvTarget> targets, String what, Phase phase)
            throws IOException, InterruptedException {
        String baseLatency = null;
        String baseThroughput = null;
        for (KvTarget t : targets) {
            Load load = phase.run(t);
            Figure latency = Figure.of(t.label() + " " + what, "ms", load.latenciesMs());
            Figure throughput = Figure.of(t.label() + " " + what + " throughput", "ops/s", List.of(load.opsPerSecond()));
            figures.add(baseLatency == null ? latency : latency.against(baseLatency));
            figures.add(baseThroughput == null ? throughput : throughput.against(baseThroughput));
            if (baseLatency == null) {
                baseLatency = latency.name();
                baseThroughput = throughput.name();
            }
        }
    }

    private static void fanOut(List<Figure> figures, List<KvTarget> targets) throws IOException, InterruptedException {
        String prefix = "watch x" + WATCHERS + " ";
        String base = null;
        for (KvTarget t : targets) {
            t.prepare("watch");
            load(t, 1, KvTarget.Op.CREATE, 1, i -> t.create("watch", i));
            FanOut f = FanOut.run(t, "watch", WATCHERS, PACED_UPDATES, BURST_UPDATES);
            List<Figure> mine = List.of(
                    Figure.of(t.label() + " " + prefix + "write ack->event", "ms", f.ackToEventMs()),
                    Figure.of(t.label() + " " + prefix + "write sent->event", "ms", f.sendToEventMs()),
                    Figure.of(t.label() + " " + prefix + "burst events/s", "ev/s", List.of(f.eventsPerSecond())));
            for (int i = 0; i < mine.size(); i++) {
                Figure fig = mine.get(i);
                figures.add(base == null ? fig : fig.against(fig.name().replaceFirst("^" + t.label(), base)));
            }
            if (base == null) base = t.label();
        }
    }

    /** The table prints median, p95 and max; latencies also want p99. */
    private static void printPercentiles(List<Figure> figures) {
        System.out.printf("%n%-48s %10s %10s %10s %10s%n", "latency figure (ms)", "p50", "p95", "p99", "n");
        for (Figure f : figures) {
            if (!f.unit().equals("ms")) continue;
            System.out.printf("%-48s %10.3f %10.3f %10.3f %10d%n", f.name(), f.percentile(50), f.percentile(95), f.percentile(99), f.samples().size());
        }
    }
}
