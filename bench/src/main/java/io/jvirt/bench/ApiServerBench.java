package io.jvirt.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The embedded API server against etcd, both on loopback, same workload, same client (JDK
 * HttpClient, HTTP/1.1 unless a figure says h2): {@value #N} sequential creates, gets, {@value #LIST_ROUNDS}
 * lists of all {@value #N}, {@value #N} creates and gets by {@value #CONCURRENCY} threads, and a watch
 * fan-out to {@value #WATCHERS} watchers. Every jvirt figure names its etcd counterpart as baseline.
 * Each phase runs in slices taken in turn by the servers so a busy machine hurts both alike; each server gets
 * an unmeasured warm-up first. jvirt runs in this JVM (its CPU is shared with the client), etcd in
 * its own process.
 */
final class ApiServerBench implements Benchmark {
    static final int N = 1_000;
    static final int CONCURRENCY = 16;
    static final int LIST_ROUNDS = 10;
    static final int WARMUP = 300;
    static final int SLICES = 5;
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
                + " (own process, plain HTTP JSON gateway, no TLS, no auth, same VM JSON stored as is; create = txn if absent, update = put);"
                + " latencies in ms, throughput in ops/s; JDK HttpClient HTTP/1.1 unless 'h2'";
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

            List<KvTarget> withH2 = List.of(etcd, jvirt, jvirtH2);
            compare(figures, both, "create seq", N, (t, from, to) -> load(t, 1, KvTarget.Op.CREATE, from, to, i -> t.create("seq", i)));
            compare(figures, both, "get seq", N, (t, from, to) -> load(t, 1, KvTarget.Op.GET, from, to, i -> t.get("seq", i)));
            compare(figures, both, "list " + N + " seq", LIST_ROUNDS, (t, from, to) -> Load.run(t, from, to, 1, i -> t.list("seq"), reply -> {
                t.check(KvTarget.Op.LIST, reply);
                int listed = t.listed(reply.body());
                if (listed != N) throw new IOException(t.label() + " listed " + listed + " objects, not " + N);
            }));
            compare(figures, withH2, "create x" + CONCURRENCY, N,
                    (t, from, to) -> load(t, CONCURRENCY, KvTarget.Op.CREATE, from, to, i -> t.create(t == jvirtH2 ? "conc-h2" : "conc", i)));
            compare(figures, withH2, "get x" + CONCURRENCY, N,
                    (t, from, to) -> load(t, CONCURRENCY, KvTarget.Op.GET, from, to, i -> t.get("seq", i)));
            fanOut(figures, etcd, jvirt);
            return figures;
        }
    }

    /** Unmeasured: opens connections and warms the JIT on both sides (creates, gets, lists in {@code group}). */
    private static void warmUp(KvTarget t, String group) throws IOException, InterruptedException {
        t.prepare(group);
        load(t, CONCURRENCY, KvTarget.Op.CREATE, 0, WARMUP, i -> t.create(group, i));
        load(t, CONCURRENCY, KvTarget.Op.GET, 0, WARMUP, i -> t.get(group, i));
        load(t, 1, KvTarget.Op.LIST, 0, 3, i -> t.list(group));
    }

    private static Load load(KvTarget t, int concurrency, KvTarget.Op op, int from, int to, IntFunction<HttpRequest> request)
            throws IOException, InterruptedException {
        return Load.run(t, from, to, concurrency, request, reply -> t.check(op, reply));
    }

    /** Requests {@code from..to-1} of a phase on one target. */
    @FunctionalInterface
    private interface Phase {
        Load run(KvTarget target, int from, int to) throws IOException, InterruptedException;
    }

    /**
     * Runs {@code count} requests of {@code phase} on each target in {@value #SLICES} slices taken in
     * turn (target 1 slice 1, target 2 slice 1, ..., target 1 slice 2, ...) so that load from
     * elsewhere on the machine falls on all alike; adds latency and throughput figures, the first
     * target's being the baseline of the others.
     */
    private static void compare(List<Figure> figures, List<KvTarget> targets, String what, int count, Phase phase)
            throws IOException, InterruptedException {
        Load[] loads = new Load[targets.size()];
        Arrays.fill(loads, Load.NONE);
        int slices = Math.min(SLICES, count);
        for (int slice = 0; slice < slices; slice++) {
            int from = count * slice / slices;
            int to = count * (slice + 1) / slices;
            for (int t = 0; t < targets.size(); t++) loads[t] = loads[t].plus(phase.run(targets.get(t), from, to));
        }
        String baseLatency = null;
        String baseThroughput = null;
        for (int t = 0; t < targets.size(); t++) {
            String label = targets.get(t).label();
            Figure latency = Figure.of(label + " " + what, "ms", loads[t].latenciesMs());
            Figure throughput = Figure.of(label + " " + what + " throughput", "ops/s", List.of(loads[t].opsPerSecond()));
            figures.add(baseLatency == null ? latency : latency.against(baseLatency));
            figures.add(baseThroughput == null ? throughput : throughput.against(baseThroughput));
            if (baseLatency == null) {
                baseLatency = latency.name();
                baseThroughput = throughput.name();
            }
        }
    }

    /**
     * Watch fan-out on both servers at once: all watchers of both open, the paced updates taken in
     * turn (one on the baseline, one on jvirt, ...), then each server's burst.
     */
    private static void fanOut(List<Figure> figures, KvTarget base, KvTarget other) throws IOException, InterruptedException {
        for (KvTarget t : List.of(base, other)) {
            t.prepare("watch");
            load(t, 1, KvTarget.Op.CREATE, 0, 1, i -> t.create("watch", i));
        }
        try (FanOut b = FanOut.open(base, "watch", WATCHERS, PACED_UPDATES, BURST_UPDATES);
             FanOut o = FanOut.open(other, "watch", WATCHERS, PACED_UPDATES, BURST_UPDATES)) {
            for (int i = 0; i < PACED_UPDATES; i++) {
                b.paced();
                o.paced();
            }
            b.burst();
            o.burst();
            List<Figure> baseFigures = fanOutFigures(base.label(), b.result());
            List<Figure> otherFigures = fanOutFigures(other.label(), o.result());
            figures.addAll(baseFigures);
            for (int i = 0; i < otherFigures.size(); i++) figures.add(otherFigures.get(i).against(baseFigures.get(i).name()));
        }
    }

    private static List<Figure> fanOutFigures(String label, FanOut.Result r) {
        String prefix = label + " watch x" + WATCHERS + " ";
        return List.of(
                Figure.of(prefix + "write ack->event", "ms", r.ackToEventMs()),
                Figure.of(prefix + "write sent->event", "ms", r.sendToEventMs()),
                Figure.of(prefix + "burst events/s", "ev/s", List.of(r.eventsPerSecond())));
    }
}
