package io.jvirt.launcher.it;

import io.jvirt.launcher.LaunchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real launcher JVM ({@code LauncherMain}) started on a launch request, as the node agent starts
 * it. {@link #close()} kills it and, through its shutdown hook, its QEMU; the test then checks no
 * QEMU is left.
 */
final class LauncherProcess implements AutoCloseable {
    final Process process;
    final Path runDirectory;
    final Path stderr;

    private LauncherProcess(Process process, Path runDirectory, Path stderr) {
        this.process = process;
        this.runDirectory = runDirectory;
        this.stderr = stderr;
    }

    static LauncherProcess start(LaunchRequest request, Path workDir) throws Exception {
        return start(request, workDir, List.of());
    }

    /** Starts the launcher behind {@code prefix} (e.g. {@code ip netns exec <ns>}). */
    static LauncherProcess start(LaunchRequest request, Path workDir, List<String> prefix) throws Exception {
        Path requestFile = workDir.resolve("request.json");
        Files.writeString(requestFile, LauncherClient.JSON.writeValueAsString(request));
        Path stderr = workDir.resolve("launcher.err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(prefix);
        command.add(java);
        command.addAll(io.jvirt.launcher.LauncherMain.JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.jvirt.launcher.LauncherMain", requestFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(io.jvirt.launcher.LauncherMain.ENVIRONMENT);
        Process p = builder
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
        return new LauncherProcess(p, request.runDirectory(), stderr);
    }

    int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("launcher did not exit within " + timeout + "; stderr: " + stderrText());
        }
        return process.exitValue();
    }

    String stderrText() throws Exception {
        return Files.exists(stderr) ? Files.readString(stderr) : "";
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

}
