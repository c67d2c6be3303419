package io.jvirt.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.discovery.Discovery;
import io.jvirt.apiserver.discovery.OpenApi;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.handler.ScaleSubresource;
import io.jvirt.apiserver.handler.WatchSession;
import io.jvirt.apiserver.handler.WatchSink;
import io.jvirt.apiserver.handler.WriteOptions;
import io.jvirt.apiserver.handler.WriteResult;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.ApiPath;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.http.ProtobufBody;
import io.jvirt.apiserver.http.Replies;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.security.TokenFile;
import io.jvirt.apiserver.security.User;
import io.jvirt.apiserver.selection.FieldSelector;
import io.jvirt.apiserver.selection.LabelSelector;
import io.jvirt.apiserver.table.TableRenderer;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP front of the API server: body limits, authentication and authorization, non-resource
 * endpoints (version, health, discovery, OpenAPI) and resource routing to {@link ObjectService}
 * (on worker threads) and {@link WatchSession} (chunked or WebSocket). Every failure is a Status.
 */
final class ApiHandler implements Handler<HttpServerRequest> {
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());
    static final int MAX_BODY = 3 * 1024 * 1024;

    private final Vertx vertx;
    private final ObjectService service;
    private final TokenFile tokens;
    private final Discovery discovery;
    private final OpenApi openApi;
    private final Clock clock;
    private final Supplier<Boolean> ready;
    private final java.time.Duration bookmarkInterval;

    ApiHandler(Vertx vertx, ObjectService service, TokenFile tokens, Clock clock, Supplier<Boolean> ready,
               java.time.Duration bookmarkInterval) {
        this.bookmarkInterval = bookmarkInterval;
        this.vertx = vertx;
        this.service = service;
        this.tokens = tokens;
        this.discovery = new Discovery(service.registry());
        this.openApi = new OpenApi(service.registry());
        this.clock = clock;
        this.ready = ready;
    }

    @Override
    public void handle(HttpServerRequest req) {
        try {
            route(req);
        } catch (ApiException e) {
            Replies.error(req.response(), e);
        } catch (IllegalArgumentException e) {
            Replies.error(req.response(), ApiException.badRequest(String.valueOf(e.getMessage())));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "internal error on " + req.method() + " " + req.uri(), e);
            Replies.error(req.response(), ApiException.internal(String.valueOf(e.getMessage())));
        }
    }

    private void route(HttpServerRequest req) {
        String path = req.path();
        HttpServerResponse resp = req.response();
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
        User user = tokens.authenticate(bearer(req)).orElseThrow(ApiException::unauthorized);
        String accept = req.getHeader("Accept");
        if (path.equals("/api") || path.equals("/api/")) {
            if (Discovery.wantsAggregated(accept)) Replies.json(resp, 200, discovery.aggregated(true), Discovery.AGGREGATED_V2, List.of());
            else Replies.json(resp, 200, discovery.apiVersions(req.localAddress().host() + ":" + req.localAddress().port()), "application/json", List.of());
            return;
        }
        if (path.equals("/apis") || path.equals("/apis/")) {
            if (Discovery.wantsAggregated(accept)) Replies.json(resp, 200, discovery.aggregated(false), Discovery.AGGREGATED_V2, List.of());
            else Replies.json(resp, 200, discovery.groupList(), "application/json", List.of());
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
        ApiPath api = ApiPath.parse(path).orElseThrow(() -> ApiException.pathNotFound(path));
        ResourceType type = service.registry().find(api.group(), api.version(), api.plural())
                .orElseThrow(() -> ApiException.pathNotFound(path));
        if (!type.namespaced() && api.namespace() != null) throw ApiException.pathNotFound(path);
        if (api.subresource() != null && !subresourceServed(type, api.subresource())) throw ApiException.pathNotFound(path);
        String verb = verb(req, api);
        String authzPlural = api.subresource() == null ? type.plural() : type.plural() + "/" + api.subresource();
        if (!user.role().allows(verb, type.group(), authzPlural, type.namespaced())) {
            throw ApiException.forbidden(user.name(), verb, authzPlural, type.group(), api.name());
        }
        if (verb.equals("watch")) {
            watch(req, type, api);
            return;
        }
        readBody(req, body -> vertx.<Runnable>executeBlocking(() -> dispatch(req, type, api, verb, body, user), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        ar.result().run();
                    } else if (ar.cause() instanceof ApiException e) {
                        Replies.error(resp, e);
                    } else if (ar.cause() instanceof IllegalArgumentException e) {
                        Replies.error(resp, ApiException.badRequest(String.valueOf(e.getMessage())));
                    } else {
                        LOG.log(Level.WARNING, "internal error on " + req.method() + " " + req.uri(), ar.cause());
                        Replies.error(resp, ApiException.internal(String.valueOf(ar.cause().getMessage())));
                    }
                }));
    }

    private static boolean subresourceServed(ResourceType type, String sub) {
        return (sub.equals("status") && type.statusSubresource()) || (sub.equals("scale") && type.scale() != null)
                || (sub.equals("binding") && type.group().isEmpty() && type.plural().equals("pods"));
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
            String w = req.getParam("watch");
            if (collection && ("true".equals(w) || "1".equals(w))) return "watch";
            return collection ? "list" : "get";
        }
        if (m == HttpMethod.POST && (collection || "binding".equals(api.subresource()))) return "create";
        if (m == HttpMethod.PUT && !collection) return "update";
        if (m == HttpMethod.PATCH && !collection) return "patch";
        if (m == HttpMethod.DELETE) return collection ? "deletecollection" : "delete";
        throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }

    /** Reads the body with the 3 MiB limit, then calls {@code then} on the event loop. */
    private static void readBody(HttpServerRequest req, java.util.function.Consumer<byte[]> then) {
        String length = req.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > MAX_BODY) {
                    tooLarge(req);
                    return;
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid Content-Length");
            }
        }
        Buffer buf = Buffer.buffer();
        boolean[] over = {false};
        req.handler(chunk -> {
            if (over[0]) return;
            if (buf.length() + chunk.length() > MAX_BODY) {
                over[0] = true;
                tooLarge(req);
                return;
            }
            buf.appendBuffer(chunk);
        });
        req.endHandler(v -> {
            if (!over[0]) then.accept(buf.getBytes());
        });
    }

    private static void tooLarge(HttpServerRequest req) {
        Replies.error(req.response(), ApiException.tooLarge());
        if (req.version() != io.vertx.core.http.HttpVersion.HTTP_2) req.connection().close();
    }

    private WriteOptions writeOptions(HttpServerRequest req, User user) {
        String dryRun = req.getParam("dryRun");
        if (dryRun != null && !dryRun.equals("All")) {
            throw ApiException.badRequest("dryRun: Unsupported value: \"" + dryRun + "\": supported values: \"All\"");
        }
        String fv = req.getParam("fieldValidation");
        if (fv != null && !List.of("Strict", "Warn", "Ignore").contains(fv)) {
            throw ApiException.badRequest("fieldValidation: Unsupported value: \"" + fv + "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        }
        return new WriteOptions(dryRun != null, req.getParam("fieldManager"), fv, user.name());
    }

    /** The selectors of a request, or null when there are none (lists then skip parsing every object). */
    private static Predicate<JsonNode> filter(HttpServerRequest req) {
        String l = req.getParam("labelSelector"), f = req.getParam("fieldSelector");
        if ((l == null || l.isBlank()) && (f == null || f.isBlank())) return null;
        LabelSelector labels = LabelSelector.parse(l);
        FieldSelector fields = FieldSelector.parse(f);
        return o -> labels.test(o) && fields.test(o);
    }

    private static boolean wantsTable(HttpServerRequest req) {
        String accept = req.getHeader("Accept");
        return accept != null && accept.contains("as=Table") && accept.contains("g=meta.k8s.io");
    }

    private static String contentType(HttpServerRequest req) {
        String ct = req.getHeader("Content-Type");
        return ct == null ? "application/json" : ct;
    }

    private static ObjectNode bodyObject(byte[] body, String contentType) {
        String ct = contentType.split(";")[0].trim().toLowerCase();
        if (ct.equals(ProtobufBody.CONTENT_TYPE)) return ProtobufBody.decode(body);
        if (!(ct.equals("application/json") || ct.equals("application/yaml") || ct.equals("application/x-yaml") || ct.equals("*/*") || ct.isEmpty())) {
            throw ApiException.unsupportedMediaType(contentType);
        }
        if (body.length == 0) throw ApiException.badRequest("the request body is empty");
        return Codec.parseObject(body, ct);
    }

    /** Runs on a worker; returns the reply to send on the event loop. */
    private Runnable dispatch(HttpServerRequest req, ResourceType type, ApiPath api, String verb, byte[] body, User user) {
        HttpServerResponse resp = req.response();
        String ns = api.namespace();
        boolean table = wantsTable(req);
        switch (verb) {
            case "get" -> {
                ObjectNode o = service.get(type, ns, api.name());
                if ("scale".equals(api.subresource())) o = ScaleSubresource.view(type, o);
                if (table && api.subresource() == null) {
                    ObjectNode t = TableRenderer.table(type, List.of(o), true, clock.instant());
                    t.withObjectProperty("metadata").put("resourceVersion", o.path("metadata").path("resourceVersion").asText());
                    return () -> Replies.json(resp, 200, t, TableRenderer.CONTENT_TYPE, List.of());
                }
                ObjectNode out = o;
                return () -> Replies.json(resp, 200, out, "application/json", List.of());
            }
            case "list" -> {
                int limit = intParam(req, "limit");
                ObjectNode list = service.list(type, ns, filter(req), limit, emptyToNull(req.getParam("continue")));
                if (!table) return () -> Replies.json(resp, 200, list, "application/json", List.of());
                List<JsonNode> items = new java.util.ArrayList<>();
                list.path("items").forEach(items::add);
                ObjectNode t = TableRenderer.table(type, items, true, clock.instant());
                t.set("metadata", list.get("metadata"));
                return () -> Replies.json(resp, 200, t, TableRenderer.CONTENT_TYPE, List.of());
            }
            case "create" -> {
                if ("binding".equals(api.subresource())) {
                    WriteResult r = service.bind(type, ns, api.name(), bodyObject(body, contentType(req)), writeOptions(req, user));
                    return () -> Replies.json(resp, r.code(), r.body(), "application/json", r.warnings());
                }
                WriteResult r = service.create(type, ns, bodyObject(body, contentType(req)), writeOptions(req, user));
                return () -> Replies.json(resp, r.code(), r.body(), "application/json", r.warnings());
            }
            case "update" -> {
                WriteResult r = service.update(type, ns, api.name(), api.subresource(), bodyObject(body, contentType(req)), writeOptions(req, user));
                ObjectNode out = "scale".equals(api.subresource()) ? ScaleSubresource.view(type, r.body()) : r.body();
                return () -> Replies.json(resp, r.code(), out, "application/json", r.warnings());
            }
            case "patch" -> {
                WriteResult r = service.patch(type, ns, api.name(), api.subresource(), req.getHeader("Content-Type"), body, writeOptions(req, user));
                ObjectNode out = "scale".equals(api.subresource()) ? ScaleSubresource.view(type, r.body()) : r.body();
                return () -> Replies.json(resp, r.code(), out, "application/json", r.warnings());
            }
            case "delete" -> {
                JsonNode options = body.length == 0 ? Codec.NODES.objectNode() : Codec.parseJson(body);
                WriteOptions opts = writeOptions(req, user);
                if (options.path("dryRun").isArray() && !options.path("dryRun").isEmpty()) opts = new WriteOptions(true, opts.fieldManager(), opts.fieldValidation(), opts.userName());
                WriteResult r = service.delete(type, ns, api.name(), options, req.getParam("propagationPolicy"), opts);
                return () -> Replies.json(resp, r.code(), r.body(), "application/json", r.warnings());
            }
            case "deletecollection" -> {
                JsonNode options = body.length == 0 ? Codec.NODES.objectNode() : Codec.parseJson(body);
                ObjectNode list = service.deleteCollection(type, ns, filter(req), options, req.getParam("propagationPolicy"), writeOptions(req, user));
                return () -> Replies.json(resp, 200, list, "application/json", List.of());
            }
            default -> throw ApiException.methodNotAllowed(verb);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static int intParam(HttpServerRequest req, String name) {
        String v = req.getParam(name);
        if (v == null || v.isEmpty()) return 0;
        try {
            return Math.max(0, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid " + name + ": " + v);
        }
    }

    private void watch(HttpServerRequest req, ResourceType type, ApiPath api) {
        String rvText = req.getParam("resourceVersion");
        long rv;
        try {
            rv = rvText == null || rvText.isEmpty() ? 0 : Long.parseLong(rvText);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resourceVersion \"" + rvText + "\"");
        }
        long timeout = 1800;
        String t = req.getParam("timeoutSeconds");
        if (t != null && !t.isEmpty()) {
            try {
                timeout = Math.max(1, Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid timeoutSeconds \"" + t + "\"");
            }
        }
        Predicate<JsonNode> filter = filter(req);
        boolean table = wantsTable(req);
        WatchSession.Request wr = new WatchSession.Request(type, api.namespace(), rv, filter, table,
                "true".equals(req.getParam("allowWatchBookmarks")) ? bookmarkInterval : null, timeout);
        Context ctx = vertx.getOrCreateContext();
        String upgrade = req.getHeader("Upgrade");
        if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
            req.toWebSocket().onSuccess(ws -> WatchSession.start(service.store(), wr, new WatchSink.WebSocket(ws, ctx), clock))
                    .onFailure(e -> LOG.log(Level.FINE, "websocket upgrade failed", e));
            return;
        }
        HttpServerResponse resp = req.response();
        resp.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", table ? TableRenderer.CONTENT_TYPE : "application/json")
                .putHeader("Cache-Control", "no-cache, private");
        resp.writeHead();
        WatchSession.start(service.store(), wr, new WatchSink.Chunked(resp, ctx), clock);
    }

    private void openApi(HttpServerRequest req, String path) {
        HttpServerResponse resp = req.response();
        if (path.equals("/openapi/v3") || path.equals("/openapi/v3/")) {
            Replies.json(resp, 200, openApi.index(), "application/json", List.of());
            return;
        }
        String rest = path.substring("/openapi/v3/".length());
        String[] s = rest.split("/");
        Optional<byte[]> doc = Optional.empty();
        if (s.length == 2 && s[0].equals("api")) doc = openApi.document("", s[1]);
        else if (s.length == 3 && s[0].equals("apis")) doc = openApi.document(s[1], s[2]);
        if (!path.startsWith("/openapi/v3/") || doc.isEmpty()) throw ApiException.pathNotFound(path);
        Replies.send(resp, 200, doc.get(), "application/json", List.of());
    }
}
