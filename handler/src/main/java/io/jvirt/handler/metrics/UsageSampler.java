package io.jvirt.handler.metrics;

import io.jvirt.api.metrics.NodeUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The node's and its pods' CPU and memory for {@code metrics.k8s.io} ({@code kubectl top}), as kubelet and
 * metrics-server report them: sampled every {@code interval} on a thread of its own; CPU is the rate between the
 * last two samples, memory what the last one found (node: MemTotal minus MemAvailable; pod: the resident memory of
 * its cgroup's processes). Until two samples exist, and for a pod new since the one before, there is no figure.
 * Thread-safe.
 */
public final class UsageSampler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UsageSampler.class.getName());

    /** A pod this node runs now, with the processes of its cgroup. */
    public record RunningPod(String namespace, String name, List<Long> pids) {}

    private record PodSample(double cpuSeconds, long memoryBytes) {}

    private record Sample(Instant at, double nodeCpuSeconds, long nodeMemoryBytes, Map<String, PodSample> pods) {}

    private final Supplier<List<RunningPod>> pods;
    private final Duration interval;
    private final ProcStats proc;
    private final Supplier<Instant> clock;
    private volatile Sample previous;
    private volatile Sample last;
    private volatile boolean closed;

    public UsageSampler(Supplier<List<RunningPod>> pods, Duration interval) {
        this(pods, interval, new ProcStats(Path.of("/proc")), Instant::now);
    }

    UsageSampler(Supplier<List<RunningPod>> pods, Duration interval, ProcStats proc, Supplier<Instant> clock) {
        this.pods = pods;
        this.interval = interval;
        this.proc = proc;
        this.clock = clock;
    }

    /** Takes the first sample now and then one every interval, until {@link #close}. */
    public void start() {
        Thread.ofVirtual().name("usage-sampler").start(() -> {
            while (!closed) {
                try {
                    sample();
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "usage sample failed: " + e.getMessage());
                }
            }
        });
    }

    /** Takes one sample (the sampler thread; tests). */
    synchronized void sample() {
        Map<String, PodSample> byPod = new HashMap<>();
        for (RunningPod p : pods.get()) {
            double cpu = 0;
            long memory = 0;
            for (long pid : p.pids()) {
                cpu += proc.process(pid).map(ProcStats.CpuTime::totalSeconds).orElse(0.0);
                memory += proc.residentBytes(pid).orElse(0);
            }
            byPod.put(p.namespace() + "/" + p.name(), new PodSample(cpu, memory));
        }
        Sample s = new Sample(clock.get(), proc.nodeBusySeconds().orElse(0.0), proc.nodeMemoryInUse().orElse(0), byPod);
        previous = last;
        last = s;
    }

    /** The usage over the last window, empty until two samples were taken. */
    public Optional<NodeUsage> usage() {
        Sample a;
        Sample b;
        synchronized (this) {
            a = previous;
            b = last;
        }
        if (a == null || b == null) return Optional.empty();
        double window = Duration.between(a.at(), b.at()).toNanos() / 1e9;
        if (window <= 0) return Optional.empty();
        List<NodeUsage.PodUsage> out = new ArrayList<>();
        b.pods().forEach((key, now) -> {
            PodSample before = a.pods().get(key);
            if (before == null) return;
            String[] nsName = key.split("/", 2);
            out.add(new NodeUsage.PodUsage(nsName[0], nsName[1], new NodeUsage.Usage(rate(before.cpuSeconds(), now.cpuSeconds(), window), now.memoryBytes())));
        });
        out.sort(java.util.Comparator.comparing(NodeUsage.PodUsage::namespace).thenComparing(NodeUsage.PodUsage::name));
        return Optional.of(new NodeUsage(b.at().truncatedTo(ChronoUnit.SECONDS).toString(), window,
                new NodeUsage.Usage(rate(a.nodeCpuSeconds(), b.nodeCpuSeconds(), window), b.nodeMemoryBytes()), out));
    }

    /** Nanocores from two CPU-second counters (a counter that went back, a process that ended, counts as 0). */
    private static long rate(double before, double now, double windowSeconds) {
        return Math.max(0, Math.round((now - before) / windowSeconds * 1e9));
    }

    @Override
    public void close() {
        closed = true;
    }
}
