package io.jvirt.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The credentials of a Docker config: the {@code .dockerconfigjson} of a {@code kubernetes.io/dockerconfigjson}
 * Secret ({@code {"auths":{"host":{"auth":"base64(user:pass)"}}}}, or {@code username}/{@code password}), or the
 * older {@code .dockercfg} (the same map without {@code auths}). Keys are matched as kubelet matches them:
 * scheme and path dropped, Docker Hub's aliases folded to {@code docker.io}. Immutable.
 */
public final class DockerConfig {
    private final Map<String, Credentials> byRegistry;

    private DockerConfig(Map<String, Credentials> byRegistry) {
        this.byRegistry = Map.copyOf(byRegistry);
    }

    /** An empty config (anonymous pulls). */
    public static DockerConfig empty() {
        return new DockerConfig(Map.of());
    }

    /**
     * Parses {@code .dockerconfigjson} or {@code .dockercfg} content.
     *
     * @throws IllegalArgumentException with the reason when it is not such a document (the password is never quoted)
     */
    public static DockerConfig parse(byte[] json) {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the docker config is not JSON");
        }
        if (doc == null || !doc.isObject()) {
            throw new IllegalArgumentException("the docker config is not a JSON object");
        }
        JsonNode auths = doc.has("auths") ? doc.path("auths") : doc;
        Map<String, Credentials> map = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode entry = e.getValue();
            String user = entry.path("username").asText("");
            String password = entry.path("password").asText("");
            String auth = entry.path("auth").asText("");
            if (!auth.isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException("the auth of " + e.getKey() + " in the docker config is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("the auth of " + e.getKey() + " in the docker config is not user:password");
                }
                user = decoded.substring(0, colon);
                password = decoded.substring(colon + 1);
            }
            if (!user.isEmpty()) {
                map.put(registryKey(e.getKey()), new Credentials(user, password));
            }
        }
        return new DockerConfig(map);
    }

    /** The credentials for {@code registry} (host[:port], {@code docker.io} for Docker Hub), if any. */
    public Optional<Credentials> lookup(String registry) {
        return Optional.ofNullable(byRegistry.get(registryKey(registry)));
    }

    /** {@code https://index.docker.io/v1/} → {@code docker.io}; {@code http://host:5000/v2/} → {@code host:5000}. */
    static String registryKey(String key) {
        String k = key.strip();
        if (k.contains("://")) {
            URI uri = URI.create(k);
            k = uri.getRawAuthority() == null ? k : uri.getRawAuthority();
        }
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        return switch (k) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> ImageReference.DOCKER_HUB;
            default -> k;
        };
    }
}
