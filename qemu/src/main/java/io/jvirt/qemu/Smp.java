package io.jvirt.qemu;

/**
 * The guest CPU topology for {@code -smp}: {@code cpus} = sockets × cores × threads.
 *
 * @throws IllegalArgumentException if a count is below 1 or the product does not match
 */
public record Smp(int cpus, int sockets, int cores, int threads) {
    public Smp {
        if (cpus < 1 || sockets < 1 || cores < 1 || threads < 1) {
            throw new IllegalArgumentException("smp counts must be >= 1: " + this);
        }
        if ((long) sockets * cores * threads != cpus) {
            throw new IllegalArgumentException(
                    "smp cpus " + cpus + " != sockets " + sockets + " x cores " + cores + " x threads " + threads);
        }
    }

    /** One socket with {@code cpus} single-threaded cores. */
    public static Smp of(int cpus) {
        return new Smp(cpus, 1, cpus, 1);
    }

    /** A topology with {@code cpus} derived from the product. */
    public static Smp topology(int sockets, int cores, int threads) {
        return new Smp(sockets * cores * threads, sockets, cores, threads);
    }

    QemuOpts toOpts() {
        return QemuOpts.headed("cpus", Integer.toString(cpus))
                .with("sockets", sockets).with("cores", cores).with("threads", threads);
    }
}
