package io.jvirt.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.launcher.LauncherMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real launcher JVM ({@code LauncherMain}, started with the launcher's own lean JVM options
 * and environment) and the benchmark's connection to its socket, speaking protocol v1 as raw
 * JSON lines. {@link #close()} kills the launcher's QEMU over the protocol, then the launcher
 * (SIGTERM, then SIGKILL), then any QEMU it left behind.
 */
final class LauncherRun implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Process process;
    final long startNanos;
    final Path runDirectory;
    private SocketChannel channel;
    private BufferedReader in;
    private long ids;
    private long qemuPid = -1;
    private final List<String> seenStates = new ArrayList<>();

    private LauncherRun(Process process, long startNanos, Path runDirectory) {
        this.process = process;
        this.startNanos = startNanos;
        this.runDirectory = runDirectory;
    }

    /**
     * Writes the launch request into {@code dir} and starts the launcher on it; the clock starts
     * right before the process is spawned.
     */
    static LauncherRun start(ObjectNode request, Path dir, List<String> classPath, List<String> extraJvmOptions) throws IOException {
        Path requestFile = dir.resolve("request.json");
        Files.writeString(requestFile, JSON.writeValueAsString(request));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(LauncherMain.JVM_OPTIONS);
        command.addAll(extraJvmOptions);
        command.addAll(List.of("-cp", String.join(":", classPath), LauncherMain.class.getName(), requestFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("launcher.err").toFile());
        builder.environment().putAll(LauncherMain.ENVIRONMENT);
        long start = System.nanoTime();
        return new LauncherRun(builder.start(), start, Path.of(request.path("runDirectory").asText()));
    }

    /** Connects to {@code launcher.sock}, retrying until it answers or {@code timeout} passes. */
    void connect(Duration timeout) throws IOException, InterruptedException {
        Path socket = runDirectory.resolve("launcher.sock");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                channel = ch;
                in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IOException("launcher exited with " + process.exitValue() + ": " + stderr());
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("launcher socket " + socket + " did not answer within " + timeout, e);
                }
                Thread.sleep(10);
            }
        }
    }

    /** Sends {@code command} and returns its successful result; events read meanwhile are kept for {@link #awaitState}. */
    JsonNode call(String type) throws IOException {
        long id = ++ids;
        ObjectNode req = JSON.createObjectNode().put("kind", "Request").put("version", 1).put("id", id);
        req.putObject("command").put("type", type);
        channel.write(java.nio.ByteBuffer.wrap((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8)));
        while (true) {
            JsonNode m = read();
            if (m.path("kind").asText().equals("Response") && m.path("id").asLong() == id) {
                if (!m.path("ok").asBoolean()) {
                    throw new IOException(type + " failed: " + m.path("error").asText());
                }
                return m.path("result");
            }
            if (m.path("kind").asText().equals("Event")) {
                seenStates.add(m.path("event").path("state").asText());
            }
        }
    }

    /** Reads messages until the event moving the domain to {@code state} (timeouts are the caller's watchdog). */
    void awaitState(String state) throws IOException {
        if (seenStates.contains(state)) {
            return;
        }
        while (true) {
            JsonNode m = read();
            if (m.path("kind").asText().equals("Event")) {
                String s = m.path("event").path("state").asText();
                if (s.equals(state)) {
                    return;
                }
                if (s.equals("CRASHED") || s.equals("SHUTOFF")) {
                    throw new IOException("domain ended while waiting for " + state + ": " + m);
                }
            }
        }
    }

    /** QEMU's pid from GetDomainInfo (remembered for clean-up). */
    long qemuPid() throws IOException {
        qemuPid = call("GetDomainInfo").path("qemuPid").asLong();
        return qemuPid;
    }

    /** QEMU's argv as the launcher built it. */
    List<String> argv() throws IOException {
        List<String> argv = new ArrayList<>();
        call("GetDomainInfo").path("argv").forEach(a -> argv.add(a.asText()));
        return argv;
    }

    private JsonNode read() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("launcher closed its socket; stderr: " + stderr());
        }
        return JSON.readTree(line);
    }

    String stderr() {
        try {
            return Files.readString(runDirectory.resolveSibling("launcher.err"));
        } catch (IOException e) {
            return "(no stderr)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (channel != null && process.isAlive()) {
            try {
                call("Kill");
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (IOException e) {
                // fall through to signals
            }
        }
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
        }
        if (qemuPid > 0) {
            ProcessHandle.of(qemuPid).ifPresent(ProcessHandle::destroyForcibly);
        }
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing a dead socket
        }
    }
}
