package io.jvirt.launcher.it;

import io.jvirt.converter.LaunchRequest;
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

    /**
     * Starts the launcher behind {@code prefix} (e.g. {@code ip netns exec <ns>}). QEMU never runs as root: a
     * request without a QEMU user gets KubeVirt's 107:107, and, as the node agent does, the files handed over
     * become that user's and {@code workDir} searchable for it.
     */
    static LauncherProcess start(LaunchRequest request, Path workDir, List<String> prefix) throws Exception {
        if (request.qemuUser() == null) {
            request = handToQemu(request, workDir);
        }
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

    static final int QEMU_UID = 107;

    private static LaunchRequest handToQemu(LaunchRequest r, Path workDir) throws Exception {
        Files.setPosixFilePermissions(workDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        for (var disk : r.volumes().values()) {
            giveToQemu(disk.path());
        }
        if (r.kernel() != null) {
            giveToQemu(r.kernel().kernel());
            if (r.kernel().initrd() != null) {
                giveToQemu(r.kernel().initrd());
            }
        }
        return new LaunchRequest(r.vmi(), r.runDirectory(), r.accel(), r.tcgTranslationCacheMiB(), r.volumes(), r.networks(), r.kernel(),
                r.secrets(), QEMU_UID + ":" + QEMU_UID);
    }

    /** Files of the test's own (below {@code /tmp}) become QEMU's user's; shared ones (the demo image, /dev) stay as they are. */
    private static void giveToQemu(Path file) throws Exception {
        if (file.startsWith(Path.of(System.getProperty("java.io.tmpdir"))) && Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.setAttribute(file, "unix:uid", QEMU_UID, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(file, "unix:gid", QEMU_UID, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
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
