package io.jvirt.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.jvirt.apiserver.http.QueryBool;
import io.jvirt.apiserver.http.Replies;
import io.jvirt.apiserver.metrics.RequestObservation;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.security.User;
import io.jvirt.apiserver.selection.FieldSelector;
import io.jvirt.apiserver.selection.LabelSelector;
import io.jvirt.apiserver.table.IncludeObject;
import io.jvirt.apiserver.table.TableRenderer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one authorized resource request: reads the body (3 MiB limit), runs the verb on a worker
 * thread through {@link ObjectService} and answers on the event loop, or starts a {@link WatchSession}
 * (chunked HTTP or WebSocket). Every failure is a Status. Thread-safe.
 */
final class ResourceEndpoint {
    private static final Logger LOG = Logger.getLogger(ResourceEndpoint.class.getName());
    static final int MAX_BODY = 3 * 1024 * 1024;

    private final Vertx vertx;
    private final ObjectService service;
    private final Clock clock;
    private final java.time.Duration bookmarkInterval;

    ResourceEndpoint(Vertx vertx, ObjectService service, Clock clock, java.time.Duration bookmarkInterval) {
        this.vertx = vertx;
        this.service = service;
        this.clock = clock;
        this.bookmarkInterval = bookmarkInterval;
    }

    /** Serves {@code verb} on {@code api} (already authenticated and authorized); a watch tells {@code observed} when it ends. */
    void serve(HttpServerRequest req, ResourceType type, ApiPath api, String verb, User user, RequestObservation observed) {
        HttpServerResponse resp = req.response();
        if (verb.equals("watch")) {
            watch(req, type, api, observed);
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
                        Replies.error(resp, ApiException.unexpected(ar.cause()));
                    }
                }));
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
        return new WriteOptions(dryRun != null, req.getParam("fieldManager"), fv, user.name(), user.groups(), QueryBool.parse(req.getParam("force")));
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
                    ObjectNode t = TableRenderer.table(type, List.of(o), true, IncludeObject.parse(req.getParam("includeObject")), clock.instant());
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
                ObjectNode t = TableRenderer.table(type, items, true, IncludeObject.parse(req.getParam("includeObject")), clock.instant());
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
                if (options.path("dryRun").isArray() && !options.path("dryRun").isEmpty()) opts = new WriteOptions(true, opts.fieldManager(), opts.fieldValidation(), opts.userName(), opts.userGroups(), opts.force());
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

    private void watch(WatchSession.Request wr, WatchSink sink, RequestObservation observed) {
        sink.onClose(observed::ended);
        WatchSession.start(service.store(), wr, sink, clock);
    }

    private void watch(HttpServerRequest req, ResourceType type, ApiPath api, RequestObservation observed) {
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
        IncludeObject include = IncludeObject.parse(req.getParam("includeObject"));
        WatchSession.Request wr = new WatchSession.Request(type, api.namespace(), rv, filter, table, include,
                QueryBool.parse(req.getParam("allowWatchBookmarks")) ? bookmarkInterval : null, timeout);
        Context ctx = vertx.getOrCreateContext();
        String upgrade = req.getHeader("Upgrade");
        if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
            req.toWebSocket().onSuccess(ws -> watch(wr, new WatchSink.WebSocket(ws, ctx), observed))
                    .onFailure(e -> LOG.log(Level.FINE, "websocket upgrade failed", e));
            return;
        }
        HttpServerResponse resp = req.response();
        resp.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", table ? TableRenderer.CONTENT_TYPE : "application/json")
                .putHeader("Cache-Control", "no-cache, private");
        resp.writeHead();
        watch(wr, new WatchSink.Chunked(resp, ctx), observed);
    }
}
