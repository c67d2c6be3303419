package io.jvirt.handler.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * CPU time and resident memory of a process and of its threads, read from Linux's {@code /proc} (paths
 * built from numbers only). Times are in seconds: {@code stat}'s clock ticks divided by USER_HZ (100 on
 * every Linux architecture jvirt runs on). A process or thread that is gone reads as empty. Stateless.
 */
final class ProcStats {
    static final double USER_HZ = 100;

    /** User and system CPU time in seconds. */
    record CpuTime(double userSeconds, double systemSeconds) {
        double totalSeconds() {
            return userSeconds + systemSeconds;
        }
    }

    private final Path proc;

    ProcStats(Path proc) {
        this.proc = proc;
    }

    /** The CPU time of process {@code pid} (all its threads). */
    Optional<CpuTime> process(long pid) {
        return read(proc.resolve(Long.toString(pid)).resolve("stat")).map(ProcStats::parseStat);
    }

    /** The CPU time of thread {@code tid} of process {@code pid}. */
    Optional<CpuTime> thread(long pid, long tid) {
        return read(proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid)).resolve("stat")).map(ProcStats::parseStat);
    }

    /** {@code VmRSS} of process {@code pid} in bytes. */
    OptionalLong residentBytes(long pid) {
        Optional<String> status = read(proc.resolve(Long.toString(pid)).resolve("status"));
        if (status.isEmpty()) return OptionalLong.empty();
        for (String line : status.get().split("\n")) {
            if (line.startsWith("VmRSS:")) return OptionalLong.of(Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024);
        }
        return OptionalLong.empty();
    }

    /** CPU time of the whole node: {@code /proc/stat}'s user, nice, system, irq, softirq and steal (idle and iowait left out). */
    Optional<Double> nodeBusySeconds() {
        return read(proc.resolve("stat")).map(stat -> {
            String[] f = stat.lines().findFirst().orElse("cpu").strip().split(" +"); // cpu user nice system idle iowait irq softirq steal
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) busy += i < f.length ? Long.parseLong(f[i]) : 0;
            return busy / USER_HZ;
        });
    }

    /** Memory in use on the node: {@code /proc/meminfo}'s MemTotal minus MemAvailable, in bytes. */
    OptionalLong nodeMemoryInUse() {
        Optional<String> info = read(proc.resolve("meminfo"));
        if (info.isEmpty()) return OptionalLong.empty();
        long total = -1;
        long available = -1;
        for (String line : info.get().split("\n")) {
            if (line.startsWith("MemTotal:")) total = kib(line);
            if (line.startsWith("MemAvailable:")) available = kib(line);
        }
        return total < 0 || available < 0 ? OptionalLong.empty() : OptionalLong.of((total - available) * 1024);
    }

    private static long kib(String line) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).replace("kB", "").strip());
    }

    /**
     * A {@code stat} line's utime and stime (fields 14 and 15). The command name (field 2) is in parentheses
     * and may hold spaces and parentheses itself, so fields are counted after its last {@code ')'}.
     */
    static CpuTime parseStat(String line) {
        String[] f = line.substring(line.lastIndexOf(')') + 1).strip().split(" +");
        // f[0] is field 3 (state): field n is f[n - 3]
        return new CpuTime(Long.parseLong(f[11]) / USER_HZ, Long.parseLong(f[12]) / USER_HZ);
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
