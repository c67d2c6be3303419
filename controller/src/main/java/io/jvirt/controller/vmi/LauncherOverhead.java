package io.jvirt.controller.vmi;

/**
 * Memory a launcher pod needs beyond the guest's RAM. This is the one place the figure lives.
 *
 * <p>Measured on the project machines (notes/perf.md §2b, §3): QEMU under TCG with {@code tb-size=32}
 * holds 90–140 MiB of non-guest RSS (binary and libraries, device state, translation cache). QEMU is the
 * pod's one process (no per-VM JVM since issue 14), so the pod's memory cgroup is QEMU's; the 44 MiB the
 * launcher JVM used to take are kept as headroom over QEMU's top: {@value #FIXED_MIB} MiB, plus
 * guest page tables at 1/512 of guest RAM (x86-64 4 KiB pages, 8 bytes per entry).
 */
public final class LauncherOverhead {
    /** QEMU non-guest RSS (140 MiB) + 44 MiB headroom (once the launcher JVM's RSS), rounded up. */
    public static final long FIXED_MIB = 184;
    private static final long MIB = 1024L * 1024L;

    private LauncherOverhead() {}

    /**
     * Bytes to request for a launcher whose guest has {@code guestBytes} of RAM.
     *
     * @throws ArithmeticException if that does not fit in a long (a guest of about 8 EiB)
     */
    public static long podMemoryBytes(long guestBytes) {
        long pageTables = guestBytes / 512 + (guestBytes % 512 == 0 ? 0 : 1);
        return Math.addExact(Math.addExact(guestBytes, pageTables), FIXED_MIB * MIB);
    }
}
