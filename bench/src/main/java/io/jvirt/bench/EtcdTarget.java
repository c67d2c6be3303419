package io.jvirt.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The baseline: Debian's {@code etcd} (3.4) as a separate single-member process on two free
 * loopback ports with a temp data directory, driven through its HTTP/JSON gateway
 * ({@code /v3/kv/txn} for creates, {@code /v3/kv/put} for updates, {@code /v3/kv/range} for gets and lists,
 * {@code /v3/watch}; keys and values base64) by a JDK
 * HttpClient over plain HTTP/1.1: no TLS and no authentication, unlike jvirt. Keys are
 * {@code /registry/kubevirt.io/virtualmachines/<group>/<name>} as kube-apiserver lays them out; the
 * values are the same VirtualMachine JSON jvirt receives, stored as given (no validation). The
 * gateway itself is a JSON-to-gRPC hop inside etcd, so these figures are somewhat slower than
 * etcd's native gRPC. {@link #close} kills etcd (also at JVM exit) and deletes its directory.
 */
final class EtcdTarget implements KvTarget {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String PREFIX = "/registry/kubevirt.io/virtualmachines/";

    private final Path dir;
    private final Process etcd;
    private final Thread killAtExit;
    private final String url;
    private final HttpClient client;

    private EtcdTarget(Path dir, Process etcd, Thread killAtExit, String url, HttpClient client) {
        this.dir = dir;
        this.etcd = etcd;
        this.killAtExit = killAtExit;
        this.url = url;
        this.client = client;
    }

    /** Starts {@code etcd} from PATH and returns once {@code /health} says true; kills it if that fails. */
    static EtcdTarget start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jvirt-bench-etcd");
        String client = "http://127.0.0.1:" + freePort();
        String peer = "http://127.0.0.1:" + freePort();
        List<String> argv = new ArrayList<>(List.of("etcd", "--name", "bench", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "bench=" + peer, "--initial-cluster-state", "new"));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_")); // flags only, no inherited configuration
        Process etcd;
        try {
            etcd = pb.start();
        } catch (IOException e) {
            TempTree.delete(dir);
            throw new IOException("cannot start etcd (Debian package etcd-server, see scripts/env.sh): " + e.getMessage(), e);
        }
        Thread killAtExit = new Thread(etcd::destroyForcibly, "kill-bench-etcd");
        Runtime.getRuntime().addShutdownHook(killAtExit);
        EtcdTarget target = new EtcdTarget(dir, etcd, killAtExit, client,
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build());
        try {
            target.awaitHealthy();
            return target;
        } catch (IOException | InterruptedException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!etcd.isAlive()) {
                throw new IOException("etcd exited with " + etcd.exitValue() + ": " + Files.readString(dir.resolve("etcd.log")));
            }
            try {
                HttpResponse<String> r = client.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"true\"")) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("etcd not healthy after " + START_TIMEOUT + ": " + Files.readString(dir.resolve("etcd.log")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public String label() {
        return "etcd";
    }

    @Override
    public HttpClient client() {
        return client;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String key(String group, int index) {
        return PREFIX + group + "/" + VmManifest.name(index);
    }

    /** The end of the key range holding {@code prefix}: the prefix with its last byte plus one. */
    private static String rangeEnd(String prefix) {
        return prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
    }

    private HttpRequest post(String path, String json) {
        return HttpRequest.newBuilder(URI.create(url + path)).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    @Override
    public void prepare(String group) {
        // key prefixes need no preparation
    }

    private HttpRequest put(String group, int index, int seq) {
        return post("/v3/kv/put", "{\"key\":\"" + b64(key(group, index)) + "\",\"value\":\"" + b64(VmManifest.json(group, index, seq)) + "\"}");
    }

    /** Create-if-absent as kube-apiserver does it: a transaction putting the key only while its create revision is 0. */
    @Override
    public HttpRequest create(String group, int index) {
        String key = b64(key(group, index));
        return post("/v3/kv/txn", "{\"compare\":[{\"key\":\"" + key + "\",\"target\":\"CREATE\",\"create_revision\":\"0\"}],"
                + "\"success\":[{\"request_put\":{\"key\":\"" + key + "\",\"value\":\"" + b64(VmManifest.json(group, index, 0)) + "\"}}]}");
    }

    @Override
    public HttpRequest get(String group, int index) {
        return post("/v3/kv/range", "{\"key\":\"" + b64(key(group, index)) + "\"}");
    }

    @Override
    public HttpRequest list(String group) {
        String prefix = PREFIX + group + "/";
        return post("/v3/kv/range", "{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + b64(rangeEnd(prefix)) + "\"}");
    }

    @Override
    public HttpRequest update(String group, int index, int seq) {
        return put(group, index, seq);
    }

    @Override
    public HttpRequest watch(String group) {
        String prefix = PREFIX + group + "/";
        return HttpRequest.newBuilder(URI.create(url + "/v3/watch")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"create_request\":{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + b64(rangeEnd(prefix)) + "\"}}"))
                .build();
    }

    @Override
    public void check(Op op, HttpResponse<byte[]> reply) throws IOException {
        String body = new String(reply.body(), StandardCharsets.UTF_8);
        boolean ok = reply.statusCode() == 200 && switch (op) {
            case CREATE -> body.contains("\"succeeded\":true"); // false (already there) is omitted
            case GET -> body.contains("\"kvs\"");
            case LIST, UPDATE -> true;
        };
        if (!ok) {
            throw new IOException("etcd " + op + ": " + reply.statusCode() + " " + body);
        }
    }

    @Override
    public int listed(byte[] body) throws IOException {
        return JSON.readTree(body).path("kvs").size();
    }

    @Override
    public void updatesIn(String line, IntConsumer seqs) throws IOException {
        for (JsonNode event : JSON.readTree(line).path("result").path("events")) {
            if (event.has("type")) continue; // DELETE; a PUT has the default type, which JSON omits
            byte[] value = Base64.getDecoder().decode(event.path("kv").path("value").asText());
            int seq = VmManifest.seqOf(JSON.readTree(value));
            if (seq >= 0) seqs.accept(seq);
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
        etcd.destroy();
        try {
            if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
                etcd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            etcd.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killAtExit);
        } catch (IllegalStateException exiting) {
            // the JVM is already exiting: the hook runs anyway
        }
        TempTree.delete(dir);
    }
}
