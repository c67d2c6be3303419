package io.jvirt.qemu;

import io.jvirt.qemu.qmp.QmpClient;
import io.jvirt.qemu.qmp.QmpListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running QEMU started from a {@link QemuCommandLine}. Standard input is closed, standard
 * output and error go to {@code log} (appended), so QEMU's complaints survive for the caller's
 * error message.
 *
 * <p>{@link #close()} kills QEMU (SIGKILL) if it still runs and waits for it to be reaped, so a
 * try-with-resources block never leaves a QEMU behind. Thread-safe.
 */
public final class QemuProcess implements AutoCloseable {
    private static final int LOG_TAIL_BYTES = 4096;

    private final Process process;
    private final Path log;

    private QemuProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts QEMU; its output goes to {@code log}. */
    public static QemuProcess start(QemuCommandLine command, Path log) throws IOException {
        Process p = new ProcessBuilder(command.argv())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new QemuProcess(p, log);
    }

    /** The OS process id. */
    public long pid() {
        return process.pid();
    }

    /** True while QEMU runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Completes with the exit code once QEMU has exited. */
    public CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    /** Waits up to {@code timeout} for QEMU to exit; its exit code, or empty if still running. */
    public Optional<Integer> waitFor(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return Optional.of(process.exitValue());
        }
        return Optional.empty();
    }

    /** The last few KiB QEMU wrote to its log (empty if none or unreadable). */
    public String logTail() {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = Math.max(0, all.length - LOG_TAIL_BYTES);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Connects to QEMU's QMP socket ({@link QmpClient#connect}), retrying while QEMU creates it,
     * and failing at once with QEMU's own words if QEMU exits first (e.g. it rejected its command
     * line).
     *
     * @throws IOException if QEMU exited, or QMP was not ready within {@code timeout}
     */
    public QmpClient connectQmp(Path socket, Duration timeout, QmpListener... listeners)
            throws IOException, InterruptedException {
        try {
            return QmpClient.connect(socket, timeout, process::isAlive, listeners);
        } catch (IOException e) {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                throw new IOException("QEMU exited " + process.exitValue() + " before QMP on " + socket
                        + " was ready: " + logTail().strip(), e);
            }
            throw e;
        }
    }

    /**
     * SIGKILL if still running, then wait until reaped (even if interrupted: the interrupt is
     * kept for the caller). Idempotent.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
