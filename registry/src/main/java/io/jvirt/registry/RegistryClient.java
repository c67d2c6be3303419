package io.jvirt.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A client of the OCI distribution API (pull side) on {@code java.net.http}: manifests and indexes (OCI and Docker
 * schema 2; an index resolved to linux/amd64), blobs, anonymous, basic and bearer-token auth (the token fetched
 * from the challenge's realm, with the credentials when there are any), redirects followed without the
 * registry's credentials when they leave its host, mirrors and plain-HTTP registries from {@link RegistryConfig}.
 * Every manifest is checked against the digest it was asked by (and the registry's {@code Docker-Content-Digest});
 * blobs are checked by {@link ImageFiles} while they are read. Thread-safe; one instance serves a node.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REDIRECTS = 5;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final RegistryConfig config;
    private final HttpClient http;

    public RegistryClient(RegistryConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public RegistryConfig config() {
        return config;
    }

    /**
     * The image {@code ref} names, pulled from its mirror when one is configured. Nothing is fetched until the
     * source is used.
     *
     * @param credentials for the registry actually spoken to, or null for anonymous pulls
     */
    public ImageSource open(ImageReference ref, Credentials credentials) {
        return new Remote(ref, config.resolve(ref), credentials);
    }

    /** One repository in one registry, with the auth it has earned (a bearer token is kept for its next requests). */
    private final class Remote implements ImageSource {
        private final ImageReference asked;
        private final ImageReference ref;
        private final Credentials credentials;
        private final String base;
        private volatile String authorization;

        Remote(ImageReference asked, ImageReference ref, Credentials credentials) {
            this.asked = asked;
            this.ref = ref;
            this.credentials = credentials;
            this.base = (config.plainHttp(ref.registry()) ? "http://" : "https://") + ref.apiHost() + "/v2/" + ref.repository() + "/";
        }

        @Override
        public String describe() {
            return "registry " + ref.registry() + (asked.equals(ref) ? "" : " (mirror of " + asked.registry() + ")");
        }

        @Override
        public Manifest.Image resolve() {
            Manifest m = manifest(ref.manifestReference(), ref.digest() == null ? null : Digest.parse(ref.digest()));
            if (m instanceof Manifest.Index index) {
                Descriptor entry = index.forNode();
                m = manifest(entry.digest().toString(), entry.digest());
                if (!(m instanceof Manifest.Image)) {
                    throw new ImageException(ImageException.Kind.UNSUPPORTED, "the index entry " + entry.digest() + " of " + ref + " is itself an index");
                }
            }
            return (Manifest.Image) m;
        }

        private Manifest manifest(String reference, Digest expected) {
            HttpResponse<InputStream> r = send("manifests/" + reference, String.join(", ", MediaTypes.MANIFESTS));
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(4 << 20);
                if (in.read() >= 0) {
                    throw new ImageException(ImageException.Kind.UNSUPPORTED, "the manifest of " + ref + " is larger than 4 MiB");
                }
            } catch (IOException e) {
                throw new ImageException(ImageException.Kind.UNAVAILABLE, "reading the manifest of " + ref + " from " + describe() + ": " + e.getMessage(), e);
            }
            Manifest m = Manifest.parse(body, r.headers().firstValue("Content-Type").orElse(null));
            Digest actual = expected == null || expected.algorithm().equals("sha256") ? m.digest()
                    : new Digest(expected.algorithm(), java.util.HexFormat.of().formatHex(expected.hasher().digest(body)));
            if (expected != null && !expected.equals(actual)) {
                throw new ImageException(ImageException.Kind.DIGEST_MISMATCH, "the manifest of " + ref + " from " + describe()
                        + " does not match its digest " + expected + ": got " + actual + "; refused");
            }
            Optional<String> header = r.headers().firstValue("Docker-Content-Digest");
            if (header.isPresent() && header.get().startsWith("sha256:") && !header.get().equals(m.digest().toString())) {
                throw new ImageException(ImageException.Kind.DIGEST_MISMATCH, "the manifest of " + ref + " from " + describe()
                        + " has digest " + m.digest() + ", the registry says " + header.get() + "; refused");
            }
            return m;
        }

        @Override
        public InputStream openBlob(Descriptor blob) {
            return send("blobs/" + blob.digest(), "*/*").body();
        }

        /** GET {@code path} below the repository, answering auth challenges once and following redirects. */
        private HttpResponse<InputStream> send(String path, String accept) {
            URI uri = URI.create(base + path);
            HttpResponse<InputStream> r = get(uri, accept, authorization);
            if (r.statusCode() == 401) {
                String challenge = r.headers().firstValue("WWW-Authenticate").orElse(null);
                String error = errorMessage(r);
                authorization = authorize(challenge, error);
                r = get(uri, accept, authorization);
            }
            for (int i = 0; i < MAX_REDIRECTS && isRedirect(r.statusCode()); i++) {
                URI next = uri.resolve(r.headers().firstValue("Location").orElseThrow(() -> failure(303, "a redirect without Location")));
                discard(r);
                boolean sameHost = next.getHost() != null && next.getHost().equalsIgnoreCase(uri.getHost()) && next.getPort() == uri.getPort();
                uri = next;
                r = get(uri, accept, sameHost ? authorization : null);
            }
            if (r.statusCode() / 100 != 2) {
                throw failure(r.statusCode(), errorMessage(r));
            }
            return r;
        }

        /** The Authorization header value answering {@code challenge}. */
        private String authorize(String challenge, String registryMessage) {
            if (challenge == null) {
                throw failure(401, registryMessage);
            }
            AuthChallenge c;
            try {
                c = AuthChallenge.parse(challenge);
            } catch (IllegalArgumentException e) {
                throw new ImageException(ImageException.Kind.UNAUTHORIZED, describe() + " sent a challenge jvirt cannot read: " + e.getMessage());
            }
            switch (c.scheme()) {
                case "basic" -> {
                    if (credentials == null) {
                        throw failure(401, registryMessage + " (no credentials: name a kubernetes.io/dockerconfigjson Secret in imagePullSecret)");
                    }
                    return credentials.basicHeader();
                }
                case "bearer" -> {
                    return "Bearer " + token(c);
                }
                default -> throw new ImageException(ImageException.Kind.UNAUTHORIZED, describe() + " asks for " + c.scheme() + " auth; jvirt speaks basic and bearer");
            }
        }

        /** A token from the challenge's realm (Docker's token protocol; GET with the service and the pull scope). */
        private String token(AuthChallenge c) {
            String realm = c.param("realm");
            if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
                throw new ImageException(ImageException.Kind.UNAUTHORIZED, describe() + " sent a bearer challenge without an http(s) realm");
            }
            List<String> query = new ArrayList<>();
            if (c.param("service") != null) {
                query.add("service=" + URLEncoder.encode(c.param("service"), StandardCharsets.UTF_8));
            }
            String scope = c.param("scope") != null ? c.param("scope") : "repository:" + ref.repository() + ":pull";
            query.add("scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
            URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + String.join("&", query));
            HttpResponse<InputStream> r = get(uri, "application/json", credentials == null ? null : credentials.basicHeader());
            if (r.statusCode() / 100 != 2) {
                String message = errorMessage(r);
                throw new ImageException(ImageException.Kind.UNAUTHORIZED, "the token server " + uri.getHost() + " refused a token (HTTP "
                        + r.statusCode() + ")" + (message.isEmpty() ? "" : ": " + message));
            }
            try (InputStream in = r.body()) {
                JsonNode doc = JSON.readTree(in.readNBytes(1 << 20));
                String token = doc.path("token").asText(doc.path("access_token").asText(""));
                if (token.isEmpty()) {
                    throw new ImageException(ImageException.Kind.UNAUTHORIZED, "the token server " + uri.getHost() + " answered without a token");
                }
                return token;
            } catch (IOException e) {
                throw new ImageException(ImageException.Kind.UNAUTHORIZED, "the token server " + uri.getHost() + " answered no JSON: " + e.getMessage(), e);
            }
        }

        private HttpResponse<InputStream> get(URI uri, String accept, String auth) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", accept).GET();
            if (auth != null) {
                b.header("Authorization", auth);
            }
            try {
                return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new ImageException(ImageException.Kind.UNAVAILABLE, "cannot reach " + describe() + " at " + uri.getScheme() + "://"
                        + uri.getRawAuthority() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException(ImageException.Kind.UNAVAILABLE, "interrupted while pulling from " + describe(), e);
            }
        }

        private ImageException failure(int status, String message) {
            ImageException.Kind kind = switch (status) {
                case 401, 403 -> ImageException.Kind.UNAUTHORIZED;
                case 404 -> ImageException.Kind.NOT_FOUND;
                case 429 -> ImageException.Kind.UNAVAILABLE;
                default -> status >= 500 ? ImageException.Kind.UNAVAILABLE : ImageException.Kind.UNSUPPORTED;
            };
            return new ImageException(kind, (message.isEmpty() ? "HTTP " + status : message) + " (" + ref + " from " + describe()
                    + ", HTTP " + status + ")");
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static void discard(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the connection is dropped instead of reused
        }
    }

    /**
     * The registry's message from an error body ({@code {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}}
     * as {@code MANIFEST_UNKNOWN: manifest unknown}), or its first line of text; empty when there is none.
     */
    static String errorMessage(HttpResponse<InputStream> r) {
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(64 << 10);
        } catch (IOException e) {
            return "";
        }
        return errorMessage(body);
    }

    static String errorMessage(byte[] body) {
        try {
            JsonNode doc = JSON.readTree(body);
            if (doc != null && doc.path("errors").isArray() && !doc.path("errors").isEmpty()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode e : doc.path("errors")) {
                    String code = e.path("code").asText("");
                    String message = e.path("message").asText("");
                    parts.add(code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message);
                }
                return String.join("; ", parts);
            }
        } catch (IOException e) {
            // not JSON: the text itself
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        int nl = text.indexOf('\n');
        text = nl >= 0 ? text.substring(0, nl) : text;
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
