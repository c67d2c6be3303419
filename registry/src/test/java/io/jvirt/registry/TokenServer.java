package io.jvirt.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token server of Docker's token protocol on loopback, for the docker-registry's {@code auth: token} mode: GET
 * {@code /token?service=..&scope=repository:NAME:ACTIONS} with the one user's basic credentials answers
 * {@code {"token": JWT}} granting the scope (RS256, signed by a key whose self-signed certificate, made by Debian's
 * openssl, is the registry's {@code rootcertbundle} and rides in the JWT's {@code x5c}); without them, 401. A test
 * fixture speaking the real protocol beside the real registry.
 */
final class TokenServer implements AutoCloseable {
    static final String ISSUER = "jvirt-test-issuer";
    static final String SERVICE = "jvirt-test-registry";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Path certificate;
    final AtomicInteger tokensIssued = new AtomicInteger();

    private TokenServer(HttpServer server, Path certificate) {
        this.server = server;
        this.certificate = certificate;
    }

    static TokenServer start(Path dir, Credentials user) throws IOException, InterruptedException {
        Path key = dir.resolve("token.key");
        Path cert = dir.resolve("token.crt");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "1", "-subj", "/CN=jvirt-test-token").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("openssl failed: " + out);
        }
        PrivateKey privateKey;
        byte[] der;
        try {
            String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            try (var in = Files.newInputStream(cert)) {
                der = ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getEncoded();
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        TokenServer t = new TokenServer(server, cert);
        String expected = user.basicHeader();
        server.createContext("/token", exchange -> {
            try (exchange) {
                if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    byte[] body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad or no credentials\"}]}".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(401, body.length);
                    exchange.getResponseBody().write(body);
                    return;
                }
                Map<String, String> query = new HashMap<>();
                String raw = exchange.getRequestURI().getRawQuery();
                for (String kv : raw == null ? new String[0] : raw.split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        query.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
                byte[] body = JSON.writeValueAsBytes(Map.of("token", t.jwt(privateKey, der, user.username(), query.get("scope"))));
                t.tokensIssued.incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
            }
        });
        server.start();
        return t;
    }

    private String jwt(PrivateKey key, byte[] certificateDer, String subject, String scope) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificateDer));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode().put("iss", ISSUER).put("sub", subject).put("aud", SERVICE)
                .put("exp", now + 300).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        if (scope != null) {
            for (String one : scope.split(" ")) {
                String[] parts = one.split(":");
                if (parts.length == 3 && parts[0].equals("repository")) {
                    ObjectNode grant = access.addObject().put("type", "repository").put("name", parts[1]);
                    for (String action : parts[2].split(",")) {
                        grant.withArray("actions").add(action);
                    }
                }
            }
        }
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(JSON.writeValueAsBytes(header)) + "." + url.encodeToString(JSON.writeValueAsBytes(claims));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(rs256.sign());
    }

    /** The token endpoint, the registry's {@code realm}. */
    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The registry config's {@code auth:} section for this server. */
    String registryAuthConfig() {
        return "auth:\n  token:\n    realm: " + realm() + "\n    service: " + SERVICE + "\n    issuer: " + ISSUER + "\n    rootcertbundle: " + certificate + "\n";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
