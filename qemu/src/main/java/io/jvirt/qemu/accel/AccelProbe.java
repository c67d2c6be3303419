package io.jvirt.qemu.accel;

import io.jvirt.qemu.Accel;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import io.jvirt.qemu.QemuProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Decides between KVM and TCG by running a tiny real guest ({@link ProbeGuest}) under KVM with a
 * short deadline: {@code /dev/kvm} existing, or even {@code KVM_CREATE_VM} succeeding, does not
 * mean guests run (on hosts whose /dev/kvm is kvm_pvm they crawl and then fail).
 *
 * <p>The probe QEMU is killed at the deadline, so a broken KVM costs at most the deadline.
 * {@link #decide()} caches the decision for the life of the process; instances are stateless and
 * thread-safe.
 */
public final class AccelProbe {
    /** Long enough for QEMU to start and finish the probe under KVM on a loaded machine (~0.1 s idle). */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMillis(1500);
    public static final Path DEV_KVM = Path.of("/dev/kvm");

    private final Path qemu;
    private final Path devKvm;
    private final Duration deadline;

    public AccelProbe(Path qemu, Path devKvm, Duration deadline) {
        this.qemu = qemu;
        this.devKvm = devKvm;
        this.deadline = deadline;
    }

    /** The probe for Debian's qemu-system-x86_64 and /dev/kvm with {@link #DEFAULT_DEADLINE}. */
    public AccelProbe() {
        this(QemuCommandLine.QEMU_SYSTEM_X86_64, DEV_KVM, DEFAULT_DEADLINE);
    }

    private static final class Cached {
        static final AccelDecision DECISION = new AccelProbe().probe();
    }

    /** The default probe's decision, computed once per process (the first caller waits for it). */
    public static AccelDecision decide() {
        return Cached.DECISION;
    }

    /** Probes now, without the cache. Never throws: every failure means TCG, with the reason. */
    public AccelDecision probe() {
        if (!Files.exists(devKvm)) {
            return new AccelDecision(Accel.TCG, devKvm + " does not exist");
        }
        if (!Files.isReadable(devKvm) || !Files.isWritable(devKvm)) {
            return new AccelDecision(Accel.TCG, devKvm + " is not readable and writable by this user");
        }
        ProbeRun run = runGuest(Accel.KVM);
        if (run.passed()) {
            return new AccelDecision(Accel.KVM, "a test guest ran under KVM in " + run.took().toMillis() + " ms");
        }
        return new AccelDecision(Accel.TCG, devKvm + " exists but a test guest did not run under KVM: " + run.detail());
    }

    /** What happened when the probe guest ran under one accelerator. */
    public record ProbeRun(Accel accel, boolean passed, String detail, Duration took) {}

    /** Runs the probe guest under {@code accel} with the deadline; QEMU is gone when this returns. */
    public ProbeRun runGuest(Accel accel) {
        long start = System.nanoTime();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("jvirt-accel-probe");
            Path firmware = dir.resolve("probe.bin");
            ProbeGuest.writeTo(firmware);
            QemuOpts accelOpts = accel == Accel.TCG ? QemuOpts.empty().with("tb-size", 32) : QemuOpts.empty();
            QemuCommandLine cmd = QemuCommandLine.builder(qemu)
                    .machine("pc")
                    .accel(accel, accelOpts)
                    .nodefaults().noUserConfig()
                    .sandbox(QemuCommandLine.STRICT_SANDBOX)
                    .displayNone()
                    .memoryMiB(16)
                    .bios(firmware)
                    .device("isa-debug-exit", QemuOpts.empty()
                            .with("iobase", "0x" + Integer.toHexString(ProbeGuest.DEBUG_EXIT_PORT)).with("iosize", "0x1"))
                    .build();
            try (QemuProcess process = QemuProcess.start(cmd, dir.resolve("qemu.log"))) {
                Optional<Integer> exit = process.waitFor(deadline);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                if (exit.isEmpty()) {
                    return new ProbeRun(accel, false, "no result within " + deadline.toMillis() + " ms (killed)", took);
                }
                if (exit.get() != ProbeGuest.EXPECTED_EXIT_CODE) {
                    return new ProbeRun(accel, false, "QEMU exited " + exit.get() + ": " + process.logTail().strip(), took);
                }
                return new ProbeRun(accel, true, "guest finished", took);
            }
        } catch (IOException e) {
            return new ProbeRun(accel, false, "cannot run " + qemu + ": " + e.getMessage(), Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProbeRun(accel, false, "interrupted", Duration.ofNanos(System.nanoTime() - start));
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp dir is harmless; the decision stands.
        }
    }
}
