package io.jvirt.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A JDK HttpClient (HTTP/2 by ALPN) trusting only the server's CA, for raw API requests in tests. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int code, String contentType, JsonNode body, String raw, HttpResponse<String> response) {}

    final HttpClient client;
    private final String base;
    private final String token;

    Http(String base, Path caCert, String token) throws Exception {
        this.base = base;
        this.token = token;
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        client = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
    }

    static Http admin(RunningServer s) throws Exception {
        return new Http(s.url(), s.server.pki().caCert(), s.adminToken());
    }

    Http withToken(String other) throws Exception {
        return new Http(base, null, other, client);
    }

    private Http(String base, Path ignored, String token, HttpClient client) {
        this.base = base;
        this.token = token;
        this.client = client;
    }

    String base() {
        return base;
    }

    String token() {
        return token;
    }

    Reply send(String method, String path, String contentType, String body, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (contentType != null) b.header("Content-Type", contentType);
        if (accept != null) b.header("Accept", accept);
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode node = null;
        try {
            node = JSON.readTree(r.body());
        } catch (Exception e) {
            // not JSON (health endpoints)
        }
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), node, r.body(), r);
    }

    Reply get(String path) throws Exception {
        return send("GET", path, null, null, null);
    }

    Reply post(String path, String json) throws Exception {
        return send("POST", path, "application/json", json, null);
    }

    Reply put(String path, String json) throws Exception {
        return send("PUT", path, "application/json", json, null);
    }

    Reply patch(String path, String type, String body) throws Exception {
        return send("PATCH", path, type, body, null);
    }

    Reply delete(String path, String body) throws Exception {
        return send("DELETE", path, body == null ? null : "application/json", body, null);
    }
}
