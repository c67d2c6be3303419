package io.jvirt.handler.pod;

/**
 * What a pod's cgroup holds its processes to; 0 in any field means unlimited.
 *
 * @param memoryBytes memory ({@code memory.limit_in_bytes} / {@code memory.max})
 * @param cpuMillis CPU time in thousandths of a CPU per period ({@code cpu.cfs_quota_us} / {@code cpu.max})
 * @param pidsMax processes and threads ({@code pids.max})
 */
public record CgroupLimits(long memoryBytes, long cpuMillis, long pidsMax) {
    /** No limit at all. */
    public static final CgroupLimits NONE = new CgroupLimits(0, 0, 0);
    /**
     * Processes and threads a launcher pod may have unless configured otherwise: QEMU needs a thread per vCPU and
     * a pool of I/O workers (at most 64), a launcher JVM some dozens; a fork bomb in the pod stops here.
     */
    public static final long DEFAULT_PIDS_MAX = 4096;
    /** The CFS period both cgroup versions use (100 ms, the kernel's default). */
    static final long CPU_PERIOD_US = 100_000;
    /** The largest cpu limit whose quota fits in a long. */
    static final long MAX_CPU_MILLIS = Long.MAX_VALUE / (CPU_PERIOD_US / 1000);
    /** The smallest quota the kernel accepts. */
    static final long CPU_MIN_QUOTA_US = 1_000;

    public CgroupLimits {
        if (memoryBytes < 0 || cpuMillis < 0 || pidsMax < 0) {
            throw new IllegalArgumentException("cgroup limits cannot be negative: " + memoryBytes + ", " + cpuMillis + ", " + pidsMax);
        }
        if (cpuMillis > MAX_CPU_MILLIS) {
            throw new IllegalArgumentException("cpu limit of " + cpuMillis + "m is too large for a CFS quota");
        }
    }

    /** The CFS quota per {@link #CPU_PERIOD_US} for {@link #cpuMillis} (0 when unlimited). */
    long cpuQuotaMicros() {
        if (cpuMillis == 0) {
            return 0;
        }
        return Math.max(CPU_MIN_QUOTA_US, cpuMillis * (CPU_PERIOD_US / 1000));
    }
}
