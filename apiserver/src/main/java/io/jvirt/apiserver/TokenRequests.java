package io.jvirt.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.security.ServiceAccountTokens;
import io.jvirt.apiserver.security.User;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * kube-apiserver's TokenRequest ({@code POST /api/v1/namespaces/NS/serviceaccounts/NAME/token}, what
 * {@code kubectl create token NAME} sends): a token bound to the ServiceAccount, valid {@code spec.expirationSeconds}
 * (default 3600, at least 600), answered with 201 and never stored; and the authentication of such tokens, which holds
 * only while the ServiceAccount exists with the uid the token was issued for. Thread-safe.
 */
final class TokenRequests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEFAULT_SECONDS = 3600;
    private static final long MIN_SECONDS = 600;
    private static final long MAX_SECONDS = 1L << 32;

    private final ObjectService service;
    private final ServiceAccountTokens tokens;
    private final Clock clock;

    TokenRequests(ObjectService service, ServiceAccountTokens tokens, Clock clock) {
        this.service = service;
        this.tokens = tokens;
        this.clock = clock;
    }

    static boolean handles(String group, String plural, String subresource) {
        return group.isEmpty() && plural.equals("serviceaccounts") && "token".equals(subresource);
    }

    /** The TokenRequest {@code body} for ServiceAccount {@code namespace/name}, with {@code status.token}; 404 when it does not exist. */
    ObjectNode issue(String namespace, String name, ObjectNode body) {
        ObjectNode account = service.get(serviceAccounts(), namespace, name);
        JsonNode seconds = body.path("spec").path("expirationSeconds");
        long expiration = seconds.isMissingNode() || seconds.isNull() ? DEFAULT_SECONDS : seconds.asLong();
        if (expiration < MIN_SECONDS || expiration > MAX_SECONDS) {
            throw ApiException.invalid("TokenRequest", "authentication.k8s.io", "tokenrequests", name, List.of(Cause.invalid("spec.expirationSeconds",
                    "Invalid value: " + seconds + ": " + (expiration < MIN_SECONDS ? "may not specify a duration less than 10 minutes"
                            : "may not specify a duration larger than 2^32 seconds"))));
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = now.plusSeconds(expiration);
        ObjectNode out = JSON.createObjectNode().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
        out.putObject("metadata").put("name", name).put("namespace", namespace).put("creationTimestamp", now.toString());
        ObjectNode spec = out.putObject("spec");
        spec.set("audiences", body.path("spec").path("audiences").isArray() ? body.path("spec").path("audiences") : JSON.createArrayNode());
        spec.put("expirationSeconds", expiration);
        if (body.path("spec").has("boundObjectRef")) {
            spec.set("boundObjectRef", body.path("spec").path("boundObjectRef"));
        }
        out.putObject("status").put("token", tokens.issue(namespace, name, account.path("metadata").path("uid").asText(), expires))
                .put("expirationTimestamp", expires.toString());
        return out;
    }

    /** The service account {@code bearer} authenticates, when it is a valid token of one that still exists with its uid. */
    Optional<User> authenticate(String bearer) {
        return tokens.verify(bearer).filter(claims -> {
            try {
                return claims.uid().equals(service.get(serviceAccounts(), claims.namespace(), claims.name()).path("metadata").path("uid").asText());
            } catch (ApiException gone) {
                return false;
            }
        }).map(ServiceAccountTokens.Claims::user);
    }

    private ResourceType serviceAccounts() {
        return service.registry().find("", "v1", "serviceaccounts").orElseThrow();
    }
}
