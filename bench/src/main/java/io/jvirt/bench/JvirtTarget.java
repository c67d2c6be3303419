package io.jvirt.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.apiserver.ApiServer;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.function.IntConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The real embedded jvirt API server, started in this process over a SQLite store in a temp
 * directory on a free loopback port, driven over HTTPS with the admin bearer token by a JDK
 * HttpClient that trusts only the server's generated CA. Objects are kubevirt.io/v1
 * VirtualMachines (schema validation, defaulting and admission run on every write); updates are
 * JSON merge patches of the sequence annotation; watches are chunked HTTP. {@link #over} gives a
 * view on the same server through another HTTP version; only the starting instance owns (and
 * on {@link #close} stops) the server, the store and the directory.
 */
final class JvirtTarget implements KvTarget {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final SqliteStore store;
    private final ApiServer server;
    private final String token;
    private final HttpClient client;
    private final String label;
    private final boolean owner;

    private JvirtTarget(Path dir, SqliteStore store, ApiServer server, String token, HttpClient client, String label, boolean owner) {
        this.dir = dir;
        this.store = store;
        this.server = server;
        this.token = token;
        this.client = client;
        this.label = label;
        this.owner = owner;
    }

    /** Starts server and store; HTTP/1.1 client. Cleans up what it started if it fails. */
    static JvirtTarget start() throws IOException, InterruptedException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("jvirt-bench-apiserver");
        SqliteStore store = null;
        ApiServer server = null;
        try {
            store = SqliteStore.open(StoreConfig.defaults(dir.resolve("objects.db")));
            server = ApiServer.start(new ApiServer.Config(dir, "127.0.0.1", 0), store);
            String token = server.tokens().tokenFor("admin").orElseThrow(() -> new IOException("no admin token"));
            HttpClient client = client(server.pki().caCert(), HttpClient.Version.HTTP_1_1);
            return new JvirtTarget(dir, store, server, token, client, "jvirt", true);
        } catch (IOException | InterruptedException | GeneralSecurityException | RuntimeException e) {
            if (server != null) server.close();
            if (store != null) store.close();
            TempTree.delete(dir);
            throw e;
        }
    }

    /** The same server through a new client speaking {@code version}; closing it closes only that client. */
    JvirtTarget over(HttpClient.Version version, String viewLabel) throws IOException, GeneralSecurityException {
        return new JvirtTarget(dir, store, server, token, client(server.pki().caCert(), version), viewLabel, false);
    }

    /**
     * The same server through a new HTTP/1.1 client with another user's bearer token (a new token for
     * {@code user}, with no rights until bindings grant them); closing it closes only that client.
     */
    JvirtTarget as(String user, String viewLabel) throws IOException, GeneralSecurityException {
        return new JvirtTarget(dir, store, server, server.tokens().add(user, java.util.List.of()),
                client(server.pki().caCert(), HttpClient.Version.HTTP_1_1), viewLabel, false);
    }

    /** Sends {@code json} to {@code path} with POST as this target's user; 201 or 409 are fine. */
    void post(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> reply = client.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (reply.statusCode() != 201 && reply.statusCode() != 409) throw new IOException("POST " + path + ": " + reply.statusCode() + " " + reply.body());
    }

    /** The running server (for in-process figures). */
    ApiServer server() {
        return server;
    }

    private static HttpClient client(Path caCert, HttpClient.Version version) throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            trusted.setCertificateEntry("jvirt-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).version(version).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public HttpClient client() {
        return client;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(TIMEOUT).header("Authorization", "Bearer " + token);
    }

    private static String vms(String namespace) {
        return "/apis/kubevirt.io/v1/namespaces/" + namespace + "/virtualmachines";
    }

    @Override
    public void prepare(String namespace) throws IOException, InterruptedException {
        HttpRequest create = request("/api/v1/namespaces").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"}}"))
                .build();
        HttpResponse<String> reply = client.send(create, HttpResponse.BodyHandlers.ofString());
        if (reply.statusCode() != 201 && reply.statusCode() != 409) {
            throw new IOException("creating namespace " + namespace + ": " + reply.statusCode() + " " + reply.body());
        }
    }

    @Override
    public HttpRequest create(String namespace, int index) {
        return request(vms(namespace)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(VmManifest.json(namespace, index, 0))).build();
    }

    @Override
    public HttpRequest get(String namespace, int index) {
        return request(vms(namespace) + "/" + VmManifest.name(index)).GET().build();
    }

    @Override
    public HttpRequest list(String namespace) {
        return request(vms(namespace)).GET().build();
    }

    @Override
    public HttpRequest update(String namespace, int index, int seq) {
        String patch = "{\"metadata\":{\"annotations\":{\"" + VmManifest.SEQ + "\":\"" + seq + "\"}}}";
        return request(vms(namespace) + "/" + VmManifest.name(index)).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(patch)).build();
    }

    @Override
    public HttpRequest watch(String namespace) {
        return HttpRequest.newBuilder(URI.create(server.url() + vms(namespace) + "?watch=true&timeoutSeconds=600"))
                .header("Authorization", "Bearer " + token).GET().build();
    }

    @Override
    public void check(Op op, HttpResponse<byte[]> reply) throws IOException {
        int want = op == Op.CREATE ? 201 : 200;
        if (reply.statusCode() != want) {
            throw new IOException("jvirt " + op + " " + reply.request().uri() + ": " + reply.statusCode() + " " + new String(reply.body()));
        }
    }

    @Override
    public int listed(byte[] body) throws IOException {
        return JSON.readTree(body).path("items").size();
    }

    @Override
    public void updatesIn(String line, IntConsumer seqs) throws IOException {
        JsonNode event = JSON.readTree(line);
        if (!event.path("type").asText().equals("MODIFIED")) return;
        int seq = VmManifest.seqOf(event.path("object"));
        if (seq >= 0) seqs.accept(seq);
    }

    @Override
    public void close() {
        client.shutdownNow();
        if (!owner) return;
        server.close();
        store.close();
        TempTree.delete(dir);
    }
}
