package io.jvirt.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (the CNCF distribution registry) on a free loopback port with a temporary
 * config and storage, optionally behind htpasswd basic auth (the bcrypt line made by Debian's {@code htpasswd});
 * images pushed with Debian's {@code skopeo}, an independent client. A test fixture; {@link #close()} stops the
 * process and removes its files.
 */
public final class LoopbackRegistry implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;
    private final Credentials credentials;
    private final TokenServer tokens;

    private LoopbackRegistry(Path dir, Process process, int port, Credentials credentials, TokenServer tokens) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.credentials = credentials;
        this.tokens = tokens;
    }

    /** Starts a registry whose every request needs {@code user}'s {@code password} (basic auth). */
    public static LoopbackRegistry start(String user, String password) throws IOException, InterruptedException {
        return start(new Credentials(user, password));
    }

    /** Starts a registry; with {@code credentials} every request needs them (basic auth), with null none. */
    public static LoopbackRegistry start(Credentials credentials) throws IOException, InterruptedException {
        return start(credentials, false);
    }

    /**
     * Starts a registry in {@code auth: token} mode with a {@link TokenServer} beside it that hands {@code credentials}'
     * user bearer tokens (Docker's token protocol).
     */
    public static LoopbackRegistry startWithTokenAuth(Credentials credentials) throws IOException, InterruptedException {
        return start(credentials, true);
    }

    /** How many tokens the token server issued (0 without one). */
    public int tokensIssued() {
        return tokens == null ? 0 : tokens.tokensIssued.get();
    }

    private static LoopbackRegistry start(Credentials credentials, boolean bearer) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jvirt-registry");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String auth = "";
        TokenServer tokens = bearer ? TokenServer.start(dir, credentials) : null;
        if (tokens != null) {
            auth = tokens.registryAuthConfig();
        } else if (credentials != null) {
            Process h = new ProcessBuilder("htpasswd", "-Bbn", credentials.username(), credentials.password()).redirectErrorStream(true).start();
            String line = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (h.waitFor() != 0) {
                throw new IOException("htpasswd failed: " + line);
            }
            Files.writeString(dir.resolve("htpasswd"), line + "\n");
            auth = "auth:\n  htpasswd:\n    realm: jvirt-test\n    path: " + dir.resolve("htpasswd") + "\n";
        }
        Files.writeString(dir.resolve("config.yml"), "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: "
                + dir.resolve("data") + "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:" + port + "\n" + auth);
        Process p = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LoopbackRegistry r = new LoopbackRegistry(dir, p, port, credentials, tokens);
        r.awaitReady();
        return r;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                int code = http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (code == 200 || code == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException("docker-registry not ready on " + host() + ": " + Files.readString(dir.resolve("registry.log")));
    }

    /** {@code 127.0.0.1:<port>}. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /**
     * Pushes the image of an OCI layout as {@code repository:tag} with skopeo (with this registry's credentials).
     *
     * @param format {@code oci} or {@code v2s2} (Docker schema 2, media types converted by skopeo)
     * @return the image's reference in this registry
     */
    public String push(Path layout, String repositoryAndTag, String format) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "--format", format));
        if (credentials != null) {
            argv.add("--dest-creds=" + credentials.username() + ":" + credentials.password());
        }
        argv.add("oci:" + layout);
        argv.add("docker://" + host() + "/" + repositoryAndTag);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("skopeo copy failed: " + out);
        }
        return host() + "/" + repositoryAndTag;
    }

    /** The file the registry stores {@code digest}'s bytes in (to corrupt it in a test). */
    public Path blobFile(Digest digest) {
        return dir.resolve("data/docker/registry/v2/blobs").resolve(digest.algorithm()).resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex()).resolve("data");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (tokens != null) {
            tokens.close();
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        ImageFiles.deleteTree(dir);
    }
}
