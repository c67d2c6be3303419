package io.jvirt.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.discovery.Discovery;
import io.jvirt.apiserver.discovery.OpenApi;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.ApiPath;
import io.jvirt.apiserver.http.Replies;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.http.ProtobufBody;
import io.jvirt.apiserver.metrics.ApiMetrics;
import io.jvirt.apiserver.metrics.RequestObservation;
import io.jvirt.apiserver.rbac.AccessReviews;
import io.jvirt.apiserver.upload.UploadEndpoint;
import io.jvirt.apiserver.rbac.RbacAuthorizer;
import io.jvirt.apiserver.rbac.RequestAttributes;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.security.TokenFile;
import io.jvirt.apiserver.security.User;
import io.jvirt.apiserver.subresources.SubresourceDiscovery;
import io.jvirt.apiserver.subresources.MetricsApiEndpoint;
import io.jvirt.apiserver.subresources.NodeMetricsEndpoint;
import io.jvirt.apiserver.subresources.PodLogEndpoint;
import io.jvirt.apiserver.subresources.SubresourceEndpoint;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP front of the API server: authentication and authorization, non-resource endpoints
 * (version, health, discovery, OpenAPI) and resolution of resource URLs, which it hands to
 * {@link ResourceEndpoint}. Every failure is a Status. Thread-safe.
 */
final class ApiHandler implements Handler<HttpServerRequest> {
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());
    private static final java.util.Set<String> HEALTH = java.util.Set.of("/healthz", "/livez", "/readyz", "/version", "/version/");

    private final ObjectService service;
    private final TokenFile tokens;
    private final Discovery discovery;
    private final OpenApi openApi;
    private final Supplier<Boolean> ready;
    private final ResourceEndpoint resources;
    private final SubresourceEndpoint subresources;
    private final PodLogEndpoint podLogs;
    private final UploadEndpoint uploads;
    private final RbacAuthorizer authorizer;
    private final AccessReviews reviews;
    private final ApiMetrics metrics;
    private final NodeObjectAccess nodeObjects;
    private final TokenRequests tokenRequests;
    private final NodeMetricsEndpoint nodeMetrics;
    private final MetricsApiEndpoint metricsApi;

    ApiHandler(Vertx vertx, ObjectService service, TokenFile tokens, io.jvirt.apiserver.security.ServiceAccountTokens accountTokens,
               RbacAuthorizer authorizer, Clock clock, Supplier<Boolean> ready, java.time.Duration bookmarkInterval, ApiMetrics metrics) {
        this.tokenRequests = new TokenRequests(service, accountTokens, clock);
        this.metrics = metrics;
        this.resources = new ResourceEndpoint(vertx, service, clock, bookmarkInterval);
        this.authorizer = authorizer;
        this.reviews = new AccessReviews(authorizer);
        this.nodeObjects = new NodeObjectAccess(service);
        this.service = service;
        this.tokens = tokens;
        this.discovery = new Discovery(service.registry());
        this.openApi = new OpenApi(service.registry());
        this.ready = ready;
        this.subresources = new SubresourceEndpoint(vertx, service, authorizer);
        this.podLogs = new PodLogEndpoint(vertx, service);
        this.uploads = new UploadEndpoint(vertx, service, clock);
        this.nodeMetrics = new NodeMetricsEndpoint(vertx, service);
        this.metricsApi = new MetricsApiEndpoint(vertx, service, authorizer);
    }

    @Override
    public void handle(HttpServerRequest req) {
        RequestObservation observed = RequestObservation.begin(metrics, req);
        try {
            route(req, observed);
        } catch (ApiException e) {
            Replies.error(req.response(), e);
        } catch (IllegalArgumentException e) {
            Replies.error(req.response(), ApiException.badRequest(String.valueOf(e.getMessage())));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "internal error on " + req.method() + " " + req.uri(), e);
            Replies.error(req.response(), ApiException.unexpected(e));
        }
    }

    private void route(HttpServerRequest req, RequestObservation observed) {
        String path = req.path();
        HttpServerResponse resp = req.response();
        if (HEALTH.contains(path)) observed.nonResource(path);
        switch (path) {
            case "/healthz", "/livez" -> {
                Replies.send(resp, 200, "ok".getBytes(), "text/plain; charset=utf-8", List.of());
                return;
            }
            case "/readyz" -> {
                boolean ok = ready.get();
                Replies.send(resp, ok ? 200 : 500, (ok ? "ok" : "not ready").getBytes(), "text/plain; charset=utf-8", List.of());
                return;
            }
            case "/version", "/version/" -> {
                Replies.json(resp, 200, Discovery.version(), "application/json", List.of());
                return;
            }
            default -> { }
        }
        if (UploadEndpoint.handlesUpload(path)) {
            observed.nonResource(path);
            uploads.serve(req); // authenticated by its upload token, not a user's
            return;
        }
        String bearer = bearer(req);
        User user = tokens.authenticate(bearer).or(() -> tokenRequests.authenticate(bearer)).orElseThrow(ApiException::unauthorized);
        if (!resourcePath(path)) {
            authorizePath(req, user, path);
            observed.nonResource(path);
        }
        if (path.equals(NodeMetricsEndpoint.ALL_NODES)) {
            nodeMetrics.serveAll(req);
            return;
        }
        if (path.equals("/metrics")) {
            if (req.method() != HttpMethod.GET) throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            Replies.send(resp, 200, metrics.scrape(), ApiMetrics.CONTENT_TYPE, List.of());
            return;
        }
        String accept = req.getHeader("Accept");
        if (path.equals("/api") || path.equals("/api/")) {
            if (Discovery.wantsAggregated(accept)) Replies.json(resp, 200, discovery.aggregated(true), Discovery.AGGREGATED_V2, List.of());
            else Replies.json(resp, 200, discovery.apiVersions(req.localAddress().host() + ":" + req.localAddress().port()), "application/json", List.of());
            return;
        }
        if (path.equals("/apis") || path.equals("/apis/")) {
            if (Discovery.wantsAggregated(accept)) Replies.json(resp, 200, withSubresourceGroupItem(discovery.aggregated(false)), Discovery.AGGREGATED_V2, List.of());
            else Replies.json(resp, 200, withSubresourceGroup(discovery.groupList()), "application/json", List.of());
            return;
        }
        if (MetricsApiEndpoint.handles(path)) {
            metricsApi.serve(req, user, observed);
            return;
        }
        if (SubresourceEndpoint.handles(path)) {
            String[] seg = path.replaceAll("/+$", "").split("/"); // ["", "apis", group, version, "namespaces", ns, plural, name, sub]
            if (seg.length == 9) observed.resource(req.method() == HttpMethod.GET ? "get" : "update", seg[2], seg[3], seg[6], seg[8], seg[5], seg[7]);
            subresources.serve(req, user, observed);
            return;
        }
        if (path.startsWith("/openapi/")) {
            openApi(req, path);
            return;
        }
        String[] seg = path.replaceAll("/+$", "").split("/");
        if (seg.length == 3 && seg[1].equals("apis")) {
            ObjectNode g = discovery.group(seg[2]).orElseThrow(() -> ApiException.pathNotFound(path));
            Replies.json(resp, 200, g, "application/json", List.of());
            return;
        }
        if ((seg.length == 3 && seg[1].equals("api")) || (seg.length == 4 && seg[1].equals("apis"))) {
            String group = seg[1].equals("api") ? "" : seg[2];
            ObjectNode list = discovery.resourceList(group, seg[seg.length - 1]).orElseThrow(() -> ApiException.pathNotFound(path));
            Replies.json(resp, 200, list, "application/json", List.of());
            return;
        }
        Optional<String> proxied = NodeMetricsEndpoint.proxiedNode(path);
        if (proxied.isPresent()) {
            String node = proxied.get();
            observed.resource("get", "", "v1", "nodes", "proxy", null, node);
            if (!authorizer.authorize(RequestAttributes.resource(user, "get", "", "nodes", "proxy", null, node))) {
                throw ApiException.forbidden(user.name(), "get", "nodes/proxy", "", node);
            }
            nodeMetrics.serveNode(req, node);
            return;
        }
        ApiPath api = ApiPath.parse(path).orElseThrow(() -> ApiException.pathNotFound(path));
        ResourceType type = service.registry().find(api.group(), api.version(), api.plural())
                .orElseThrow(() -> ApiException.pathNotFound(path));
        if (!type.namespaced() && api.namespace() != null) throw ApiException.pathNotFound(path);
        if (api.subresource() != null && !subresourceServed(type, api.subresource())) throw ApiException.pathNotFound(path);
        String verb = verb(req, api);
        observed.resource(verb, type.group(), api.version(), type.plural(), api.subresource(), namespaceOf(type, api), api.name());
        RequestAttributes attributes = RequestAttributes.resource(user, verb, type.group(), type.plural(), api.subresource(),
                namespaceOf(type, api), nameOf(req, api, verb));
        if (!authorizer.authorize(attributes) && !nodeObjects.allows(attributes)) {
            String authzPlural = api.subresource() == null ? type.plural() : type.plural() + "/" + api.subresource();
            throw ApiException.forbidden(user.name(), verb, authzPlural, type.group(), api.name(), api.namespace());
        }
        if (PodLogEndpoint.handles(type.group(), type.plural(), api.subresource())) {
            if (!verb.equals("get")) throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            podLogs.serve(req, api.namespace(), api.name(), observed);
            return;
        }
        if (AccessReviews.handles(type.group(), type.plural())) {
            review(req, type, verb, user);
            return;
        }
        if (UploadEndpoint.handlesTokenRequest(type.group(), type.plural())) {
            answerCreate(req, verb, body -> uploads.issue(api.namespace(), body)); // UploadTokenRequest
            return;
        }
        if (TokenRequests.handles(type.group(), type.plural(), api.subresource())) {
            answerCreate(req, verb, body -> tokenRequests.issue(api.namespace(), api.name(), body));
            return;
        }
        resources.serve(req, type, api, verb, user, observed);
    }

    /** Whether {@code path} names resources (authorized as such below), not discovery, OpenAPI or another path. */
    private static boolean resourcePath(String path) {
        String[] seg = path.replaceAll("/+$", "").split("/");
        if (seg.length < 2) return false;
        if (SubresourceEndpoint.handles(path)) return seg.length >= 6;
        return (seg[1].equals("api") && seg.length >= 4) || (seg[1].equals("apis") && seg.length >= 5);
    }

    /** Authorizes a request that is no resource ({@code /api}, {@code /apis/...} discovery, {@code /openapi/...}). */
    private void authorizePath(HttpServerRequest req, User user, String path) {
        String verb = req.method().name().toLowerCase(java.util.Locale.ROOT);
        if (authorizer.authorize(RequestAttributes.nonResource(user, verb, path))) return;
        throw new ApiException(403, "Forbidden", "forbidden: User \"" + user.name() + "\" cannot " + verb + " path \"" + path + "\"",
                null, null, null, List.of());
    }

    /** As kube-apiserver: a request on one namespace object is in that namespace. */
    private static String namespaceOf(ResourceType type, ApiPath api) {
        if (type.group().isEmpty() && type.plural().equals("namespaces") && api.name() != null) return api.name();
        return api.namespace();
    }

    /** The object's name; for list and watch the one a {@code metadata.name=} field selector names (as kube-apiserver). */
    private static String nameOf(HttpServerRequest req, ApiPath api, String verb) {
        if (api.name() != null) return api.name();
        if (!verb.equals("list") && !verb.equals("watch")) return null;
        String selector = req.getParam("fieldSelector");
        if (selector == null || selector.contains(",")) return null;
        for (String prefix : List.of("metadata.name=", "metadata.name==")) {
            if (selector.startsWith(prefix)) return selector.substring(prefix.length());
        }
        return null;
    }

    /** A SelfSubjectAccessReview or SelfSubjectRulesReview: answered with 201, never stored. */
    private void review(HttpServerRequest req, ResourceType type, String verb, User user) {
        answerCreate(req, verb, body -> reviews.answer(type.plural(), body, user));
    }

    /**
     * A create that is answered, never stored (reviews, TokenRequest, UploadTokenRequest): the body (JSON, or kubectl's protobuf; empty
     * reads as {@code {}}) handed to {@code answer}, whose object is sent with 201; anything but create is 405.
     */
    private static void answerCreate(HttpServerRequest req, String verb, java.util.function.Function<ObjectNode, ObjectNode> answer) {
        if (!verb.equals("create")) throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        req.body().onComplete(ar -> {
            try {
                if (ar.failed()) throw ApiException.badRequest(String.valueOf(ar.cause().getMessage()));
                String ct = String.valueOf(req.getHeader("Content-Type")).split(";")[0].trim();
                byte[] raw = ar.result().getBytes();
                ObjectNode body = raw.length == 0 ? Codec.NODES.objectNode()
                        : ct.equals(ProtobufBody.CONTENT_TYPE) ? ProtobufBody.decode(raw) : Codec.parseObject(raw, "application/json");
                Replies.json(req.response(), 201, answer.apply(body), "application/json", List.of());
            } catch (ApiException e) {
                Replies.error(req.response(), e);
            } catch (RuntimeException e) {
                Replies.error(req.response(), ApiException.unexpected(e));
            }
        });
    }

    private static ObjectNode withSubresourceGroupItem(ObjectNode discoveryList) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) discoveryList.get("items")).add(SubresourceDiscovery.aggregatedItem())
                .add(MetricsApiEndpoint.aggregatedItem());
        return discoveryList;
    }

    private static ObjectNode withSubresourceGroup(ObjectNode groupList) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) groupList.get("groups")).add(SubresourceDiscovery.group(false))
                .add(MetricsApiEndpoint.group(false));
        return groupList;
    }

    private static boolean subresourceServed(ResourceType type, String sub) {
        return (sub.equals("status") && type.statusSubresource()) || (sub.equals("scale") && type.scale() != null)
                || (sub.equals("binding") && type.group().isEmpty() && type.plural().equals("pods"))
                || PodLogEndpoint.handles(type.group(), type.plural(), sub) || TokenRequests.handles(type.group(), type.plural(), sub);
    }

    private static String bearer(HttpServerRequest req) {
        String auth = req.getHeader("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        return auth.substring(7).trim();
    }

    private static String verb(HttpServerRequest req, ApiPath api) {
        HttpMethod m = req.method();
        boolean collection = api.name() == null;
        if (m == HttpMethod.GET) {
            if (collection && io.jvirt.apiserver.http.QueryBool.parse(req.getParam("watch"))) return "watch";
            return collection ? "list" : "get";
        }
        if (m == HttpMethod.POST && (collection || "binding".equals(api.subresource()) || "token".equals(api.subresource()))) return "create";
        if (m == HttpMethod.PUT && !collection) return "update";
        if (m == HttpMethod.PATCH && !collection) return "patch";
        if (m == HttpMethod.DELETE) return collection ? "deletecollection" : "delete";
        throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }

    private void openApi(HttpServerRequest req, String path) {
        HttpServerResponse resp = req.response();
        if (path.equals("/openapi/v3") || path.equals("/openapi/v3/")) {
            Replies.json(resp, 200, openApi.index(), "application/json", List.of());
            return;
        }
        if (!path.startsWith("/openapi/v3/")) throw ApiException.pathNotFound(path);
        String rest = path.substring("/openapi/v3/".length());
        String[] s = rest.split("/");
        Optional<byte[]> doc = Optional.empty();
        if (s.length == 2 && s[0].equals("api")) doc = openApi.document("", s[1]);
        else if (s.length == 3 && s[0].equals("apis")) doc = openApi.document(s[1], s[2]);
        if (doc.isEmpty()) throw ApiException.pathNotFound(path);
        Replies.send(resp, 200, doc.get(), "application/json", List.of());
    }
}
