package io.jvirt.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Network namespaces and processes a test makes (named {@code jvt-<hex>}), all removed by {@link #close}; the
 * wait helper the tests use instead of sleeping.
 */
final class TestNamespaces implements AutoCloseable {
    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    NetworkNamespace create() throws IOException {
        NetworkNamespace ns = new NetworkNamespace("jvt-" + randomHex(4));
        ns.create();
        namespaces.add(ns);
        return ns;
    }

    /** Starts {@code command} inside {@code ns} (stopped at close). */
    Process start(NetworkNamespace ns, Path log, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** An HTTP server (busybox httpd) in {@code ns} on {@code port} serving {@code body} at {@code /}. */
    Process httpServer(NetworkNamespace ns, Path dir, int port, String body) throws IOException {
        Path root = Files.createDirectories(dir.resolve("www-" + port));
        Files.writeString(root.resolve("index.html"), body);
        return start(ns, dir.resolve("httpd-" + port + ".log"), "busybox", "httpd", "-f", "-p", Integer.toString(port), "-h", root.toString());
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws IOException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (NetworkNamespace ns : namespaces) {
            ns.delete();
        }
    }
}
