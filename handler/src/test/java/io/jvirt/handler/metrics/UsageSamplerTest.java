package io.jvirt.handler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.api.metrics.NodeUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sampler over a /proc-shaped tree: rates between two samples, memory of the last, nothing before two. */
class UsageSamplerTest {
    @TempDir
    Path proc;

    private void node(long busyTicks, long totalKb, long availableKb) throws Exception {
        // cpu user nice system idle iowait irq softirq steal: busy = user + nice + system + irq + softirq + steal
        Files.writeString(proc.resolve("stat"), "cpu  " + (busyTicks - 30) + " 10 10 99999 500 5 3 2 0 0\ncpu0 1 2 3 4\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       " + totalKb + " kB\nMemFree:  1 kB\nMemAvailable:   " + availableKb + " kB\n");
    }

    private void process(long pid, long utime, long stime, long rssKb) throws Exception {
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(proc.resolve(pid + "/stat"), pid + " (qemu-system-x86) S 1 1 1 0 -1 0 0 0 0 0 " + utime + " " + stime + " 0 0 20 0 3 0 1\n");
        Files.writeString(proc.resolve(pid + "/status"), "Name:\tqemu\nVmRSS:\t" + rssKb + " kB\n");
    }

    @Test
    void cpuIsTheRateBetweenTwoSamplesAndMemoryTheLast() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicReference<List<UsageSampler.RunningPod>> pods = new AtomicReference<>(List.of(new UsageSampler.RunningPod("ns", "a", List.of(11L, 12L))));
        UsageSampler sampler = new UsageSampler(pods::get, java.time.Duration.ofSeconds(10), new ProcStats(proc), now::get);
        node(10_000, 8_000_000, 6_000_000);
        process(11, 500, 500, 1000);
        process(12, 0, 0, 24);
        sampler.sample();
        assertTrue(sampler.usage().isEmpty(), "one sample gives no rate");

        now.set(now.get().plusSeconds(10));
        node(11_000, 8_000_000, 5_000_000); // 10 CPU-seconds busy in 10 s: one core
        process(11, 750, 750, 2000);        // 5 CPU-seconds in 10 s: half a core
        pods.set(List.of(new UsageSampler.RunningPod("ns", "a", List.of(11L, 12L)), new UsageSampler.RunningPod("ns", "new", List.of(13L))));
        process(13, 1, 1, 8);
        sampler.sample();

        NodeUsage u = sampler.usage().orElseThrow();
        assertEquals("2026-01-01T00:00:10Z", u.timestamp());
        assertEquals(10.0, u.windowSeconds(), 1e-9);
        assertEquals(new NodeUsage.Usage(1_000_000_000L, 3_000_000L * 1024), u.node());
        assertEquals(List.of(new NodeUsage.PodUsage("ns", "a", new NodeUsage.Usage(500_000_000L, 2024L * 1024))), u.pods(),
                "a pod new since the first sample has no rate yet");
    }
}
