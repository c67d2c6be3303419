package io.jvirt.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The product as users start it, for benchmarks: {@code ./jvirt up} with a private {@code JVIRT_HOME}
 * (a temp dir) and a free {@code JVIRT_API_PORT}; {@link #close()} runs {@code ./jvirt down} and removes it.
 */
final class JvirtInstance implements AutoCloseable {
    private final Path root;
    private final Path home;
    private final int port;

    private JvirtInstance(Path root, Path home, int port) {
        this.root = root;
        this.home = home;
        this.port = port;
    }

    static JvirtInstance up(Path root) throws Exception {
        Path home = Files.createTempDirectory("jvirt-bench");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        JvirtInstance j = new JvirtInstance(root, home, port);
        String out = j.run(List.of(root.resolve("jvirt").toString(), "up"), null);
        if (!Files.exists(home.resolve("apiserver.ready"))) {
            j.close();
            throw new IllegalStateException("./jvirt up failed: " + out);
        }
        return j;
    }

    /** HTTPS to this instance's API server as its admin (the kubeconfig's token, trusting only its CA). */
    Http http() throws Exception {
        String kc = Files.readString(kubeconfig());
        String server = field(kc, "server");
        String token = field(kc, "token");
        java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        ks.load(null, null);
        try (var in = Files.newInputStream(home.resolve("pki/ca.crt"))) {
            ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return new Http(java.net.http.HttpClient.newBuilder().sslContext(tls).version(java.net.http.HttpClient.Version.HTTP_1_1).build(), server, token);
    }

    /** JSON over HTTPS with a bearer token; non-2xx answers throw. */
    record Http(java.net.http.HttpClient client, String server, String token) {
        String send(String method, String path, String json) throws Exception {
            var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server + path)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").timeout(java.time.Duration.ofSeconds(60))
                    .method(method, json == null ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofString(json));
            var r = client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
            }
            return r.body();
        }
    }

    private static String field(String kubeconfig, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*" + name + ":\\s*(\\S+)\\s*$").matcher(kubeconfig);
        if (!m.find()) {
            throw new IllegalStateException("kubeconfig has no " + name);
        }
        return m.group(1);
    }

    /** The control-plane process (API server, controllers, node agent). */
    long pid() throws IOException {
        return Long.parseLong(Files.readString(home.resolve("jvirt.pid")).strip());
    }

    Path kubeconfig() {
        return home.resolve("kubeconfig");
    }

    Path home() {
        return home;
    }

    /** The stock kubectl against this instance; fails unless it exits 0. */
    String kubectl(String stdin, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig().toString()));
        argv.addAll(List.of(args));
        return run(argv, stdin);
    }

    /** Runs {@code argv} with this instance's environment; fails unless it exits 0; returns its output. */
    String run(List<String> argv, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("JVIRT_HOME", home.toString());
        pb.environment().put("JVIRT_API_PORT", Integer.toString(port));
        pb.environment().put("KUBECONFIG", kubeconfig().toString());
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            run(List.of(root.resolve("jvirt").toString(), "down"), null);
        } catch (Exception e) {
            System.err.println("bench: ./jvirt down: " + e.getMessage());
        } finally {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
