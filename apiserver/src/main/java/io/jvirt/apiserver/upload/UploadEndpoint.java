package io.jvirt.apiserver.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.storage.UploadRelay;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Replies;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.validation.Names;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.jvirt.apiserver.security.ServiceAccountTokens;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * CDI's upload front: {@code UploadTokenRequest} ({@code upload.cdi.kubevirt.io/v1beta1}, created, never stored)
 * answers with a token for {@code spec.pvcName} in its namespace, valid 5 minutes (HMAC-SHA256 under a key made at
 * start, so a restart voids open tokens); the upload-proxy paths {@code /v1beta1/upload} and
 * {@code /v1beta1/upload-async} take {@code Authorization: Bearer <that token>} instead of a user's, and stream the
 * body to the controller's upload receiver ({@link UploadRelay}), whose answer they pass back (200 once the volume
 * holds the image; 400 with the reason). Thread-safe.
 */
public final class UploadEndpoint {
    public static final String GROUP = "upload.cdi.kubevirt.io";
    private static final Duration VALID = Duration.ofMinutes(5);

    private final Vertx vertx;
    private final ObjectService service;
    private final Clock clock;
    private final HttpClient relay;
    private final byte[] key = new byte[32];

    public UploadEndpoint(Vertx vertx, ObjectService service, Clock clock) {
        this.vertx = vertx;
        this.service = service;
        this.clock = clock;
        this.relay = vertx.createHttpClient();
        new SecureRandom().nextBytes(key);
    }

    public static boolean handlesTokenRequest(String group, String plural) {
        return group.equals(GROUP) && plural.equals("uploadtokenrequests");
    }

    /** The upload-proxy paths (CDI's). */
    public static boolean handlesUpload(String path) {
        return path.equals("/v1beta1/upload") || path.equals("/v1beta1/upload-async");
    }

    /** The UploadTokenRequest {@code body} created in {@code namespace}, with {@code status.token}. */
    public ObjectNode issue(String namespace, ObjectNode body) {
        String pvc = body.path("spec").path("pvcName").asText("");
        List<String> problems = Names.dns1123Subdomain(pvc);
        if (pvc.isEmpty() || !problems.isEmpty()) {
            throw new ApiException(422, "Invalid", "UploadTokenRequest is invalid: spec.pvcName: Invalid value: \"" + pvc + "\": "
                    + (pvc.isEmpty() ? "required" : String.join(", ", problems)), body.path("metadata").path("name").asText(null),
                    GROUP, "uploadtokenrequests", List.of());
        }
        long expires = clock.instant().plus(VALID).getEpochSecond();
        String payload = namespace + "/" + pvc + "/" + expires;
        String token = ServiceAccountTokens.signed(key, payload);
        ObjectNode out = body.deepCopy();
        out.put("apiVersion", GROUP + "/v1beta1").put("kind", "UploadTokenRequest");
        ((ObjectNode) out.path("metadata")).put("namespace", namespace);
        out.putObject("status").put("token", token);
        return out;
    }

    /** Streams an upload to the receiver after checking its token; see the class comment. */
    public void serve(HttpServerRequest req) {
        req.pause();
        String[] target = verify(req.getHeader("Authorization"));
        vertx.executeBlocking(this::receiver, false).onComplete(ar -> {
            if (ar.failed()) {
                Replies.error(req.response(), ar.cause() instanceof ApiException e ? e : ApiException.unexpected(ar.cause()));
                return;
            }
            String[] endpoint = ar.result();
            int colon = endpoint[0].lastIndexOf(':');
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint[0].substring(0, colon))
                    .setPort(Integer.parseInt(endpoint[0].substring(colon + 1))).setURI(UploadRelay.path(target[0], target[1]))
                    .putHeader(UploadRelay.HEADER, endpoint[1]).setIdleTimeout(0);
            relay.request(options).onFailure(e -> Replies.error(req.response(), unavailable(e.getMessage()))).onSuccess(out -> {
                String length = req.getHeader("Content-Length");
                if (length != null) out.putHeader("Content-Length", length);
                else out.setChunked(true);
                out.response().onFailure(e -> Replies.error(req.response(), unavailable(e.getMessage())))
                        .onSuccess(answer -> answer.body().onSuccess(text -> {
                            if (answer.statusCode() == 200) {
                                req.response().setStatusCode(200).end();
                            } else {
                                Replies.error(req.response(), new ApiException(answer.statusCode(), answer.statusCode() == 400 ? "BadRequest" : "InternalError",
                                        text.toString(StandardCharsets.UTF_8), target[1], "", "persistentvolumeclaims", List.of()));
                            }
                        }));
                req.pipeTo(out);
            });
        });
    }

    /** The namespace and claim an upload token names; 401 when it is missing, forged or expired. */
    String[] verify(String authorization) {
        String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).strip() : "";
        String[] parts = ServiceAccountTokens.payloadOf(key, token).map(p -> p.split("/")).orElse(new String[0]);
        try {
            if (parts.length == 3 && Long.parseLong(parts[2]) >= clock.instant().getEpochSecond()) {
                return new String[] {parts[0], parts[1]};
            }
        } catch (NumberFormatException invalid) {
            // falls through to 401
        }
        throw new ApiException(401, "Unauthorized", "the upload token is missing, invalid or expired (ask for a new UploadTokenRequest)",
                null, null, null, List.of());
    }

    private String[] receiver() {
        ResourceType secrets = service.registry().find("", "v1", "secrets").orElseThrow();
        JsonNode data;
        try {
            data = service.get(secrets, UploadRelay.SECRET_NAMESPACE, UploadRelay.SECRET_NAME).path("data");
        } catch (ApiException e) {
            throw unavailable("no upload receiver has published its endpoint (is the controller running with local volumes?)");
        }
        return new String[] {decode(data, UploadRelay.ENDPOINT), decode(data, UploadRelay.TOKEN)};
    }

    private static String decode(JsonNode data, String key) {
        return new String(Base64.getDecoder().decode(data.path(key).asText("")), StandardCharsets.UTF_8);
    }

    private static ApiException unavailable(String message) {
        return new ApiException(503, "ServiceUnavailable", "upload receiver unavailable: " + message, null, null, null, List.of());
    }

}
