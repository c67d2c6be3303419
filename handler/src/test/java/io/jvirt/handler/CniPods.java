package io.jvirt.handler;

import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.PodNetwork;
import io.jvirt.network.cni.CniPlugin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: pods on a real pod network (the network driver with Debian's CNI plugins, a bridge and namespaces
 * {@code jvt-<hex>} of a random instance id) with processes started in them; {@link #close} stops the processes, runs
 * DEL for every pod, removes the bridge and the namespaces. The HTTP and wait helpers the ITs use instead of sleeping.
 */
public final class CniPods implements AutoCloseable {
    /** A pod: its namespace and the address CNI gave its {@code eth0}. */
    public record Pod(NetworkNamespace netns, String ip) {}

    /** A condition to wait for; an exception counts as not yet. */
    public interface Check {
        boolean ok() throws Exception;
    }

    public final String instance = hex(4);
    public final PodNetwork network;
    private final Path dir;
    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    public CniPods(Path dir) throws IOException {
        this.dir = dir;
        this.network = PodNetwork.open(dir.resolve("cni"), instance, null, new CniPlugin(List.of(CniPlugin.DEBIAN)));
    }

    /** A new namespace with {@code eth0} on the pod network (CNI ADD as container {@code id}). */
    public Pod add(String id) throws IOException {
        NetworkNamespace ns = new NetworkNamespace("jvt-" + hex(4));
        ns.create();
        namespaces.add(ns);
        return new Pod(ns, network.add(id, ns, List.of()).ipv4On(PodNetwork.POD_INTERFACE).orElseThrow().ip());
    }

    /** Starts {@code argv} (output to {@code log} under the fixture's directory); stopped at close. */
    public Process start(String log, List<String> argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
        processes.add(p);
        return p;
    }

    /** A busybox httpd in {@code pod} on its address and {@code port}, serving {@code body} at {@code /}; waited for. Its web root. */
    public Path httpServer(Pod pod, int port, String body) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www-" + pod.netns().name() + "-" + port));
        Files.writeString(www.resolve("index.html"), body);
        start("httpd-" + pod.netns().name() + "-" + port + ".log", List.of("ip", "netns", "exec", pod.netns().name(), "busybox", "httpd", "-f",
                "-p", pod.ip() + ":" + port, "-h", www.toString()));
        await("httpd on " + pod.ip() + ":" + port, () -> pod.netns().run("busybox", "wget", "-q", "-O", "-", "http://" + pod.ip() + ":" + port + "/")
                .equals(body));
        return www;
    }

    @Override
    public void close() throws IOException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        network.sweep(Set.of(), id -> null);
        network.removeBridge();
        for (NetworkNamespace ns : namespaces) ns.delete();
    }

    /** GET {@code url} on a new connection (a fresh client: no connection reuse); the body, or "" when it failed. */
    public static String get(String url) {
        try {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Waits up to 60 s for {@code check}, polling every 100 ms. */
    public static void await(String what, Check check) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        while (!passes(check)) {
            if (Instant.now().isAfter(end)) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    private static boolean passes(Check check) {
        try {
            return check.ok();
        } catch (Exception e) {
            return false;
        }
    }

    public static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
