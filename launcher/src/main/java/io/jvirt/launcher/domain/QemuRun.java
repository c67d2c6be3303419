package io.jvirt.launcher.domain;

import io.jvirt.converter.LaunchPlan;
import io.jvirt.converter.RunAs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A started QEMU with exactly the plan's environment (nothing inherited from the launcher), stdin
 * from /dev/null and its output appended to a log file. Like the qemu module's {@code QemuProcess},
 * which cannot set the environment yet (needed for {@code TZ}). {@link #close()} kills and reaps.
 * Thread-safe.
 */
final class QemuRun implements AutoCloseable {
    private static final int LOG_TAIL_BYTES = 2048;

    private final Process process;
    private final Path log;

    private QemuRun(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts QEMU, as {@code runAs} when given (else as the launcher's own user). */
    static QemuRun start(LaunchPlan plan, Path log, RunAs runAs) throws IOException {
        List<String> argv = new ArrayList<>();
        if (runAs != null) {
            argv.addAll(runAs.commandPrefix());
        }
        argv.addAll(plan.commandLine().argv());
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("LC_ALL", "C");
        env.putAll(plan.environment());
        return new QemuRun(builder.start(), log);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    Optional<Integer> waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS) ? Optional.of(process.exitValue()) : Optional.empty();
    }

    String logTail() {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = Math.max(0, all.length - LOG_TAIL_BYTES);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor();
    }
}
