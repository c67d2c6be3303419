package io.jvirt.apiserver.subresources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Cause;
import io.jvirt.apiserver.http.QueryBool;
import io.jvirt.apiserver.http.Replies;
import io.jvirt.apiserver.metrics.RequestObservation;
import io.jvirt.apiserver.resources.ResourceType;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves the core {@code pods/log} subresource (GET, already authorized as {@code get pods/log}): the pod's
 * node agent streams the pod's log over the relay ({@link NodeRelay}, action {@code log}) and this answers
 * it as {@code text/plain}, as kube-apiserver relays kubelet's. {@code follow} streams until the pod ends
 * or the client goes; {@code tailLines} the last lines; {@code container} must name one of the pod's
 * containers (one may be left out when there is only one). A pod not started on a node is 400
 * "container ... is waiting to start"; options jvirt does not implement ({@code sinceSeconds},
 * {@code sinceTime}, {@code timestamps}, {@code limitBytes}) are 400, never ignored; {@code previous} is 400
 * "previous terminated container ... not found" (a launcher pod's container never restarts). Thread-safe.
 */
public final class PodLogEndpoint {
    private static final List<String> UNSUPPORTED = List.of("sinceSeconds", "sinceTime", "limitBytes");

    private final Vertx vertx;
    private final ObjectService service;
    private final NodeRelay relay;

    public PodLogEndpoint(Vertx vertx, ObjectService service) {
        this.vertx = vertx;
        this.service = service;
        this.relay = new NodeRelay(service);
    }

    /** Whether a request on {@code plural/subresource} of {@code group} is a pod log. */
    public static boolean handles(String group, String plural, String subresource) {
        return group.isEmpty() && plural.equals("pods") && "log".equals(subresource);
    }

    /** Answers the log of pod {@code namespace/name}; failures are Status objects; {@code observed} learns when a stream ends. */
    public void serve(HttpServerRequest req, String namespace, String name, RequestObservation observed) {
        Options o = Options.of(req, name);
        req.pause();
        vertx.executeBlocking(() -> target(namespace, name, o), false)
                .onFailure(e -> fail(req, e))
                .onSuccess(target -> vertx.createNetClient().connect(target.port(), target.host())
                        .onFailure(e -> fail(req, new ApiException(503, "ServiceUnavailable", "node agent relay: " + e.getMessage(),
                                null, null, null, List.of())))
                        .onSuccess(sock -> {
                            sock.write(target.header());
                            new LogBridge(req, sock, name, observed).start();
                        }));
    }

    /** The query of one log request, checked. */
    private record Options(String container, boolean follow, long tailLines, boolean previous) {
        static Options of(HttpServerRequest req, String name) {
            for (String p : UNSUPPORTED) {
                if (req.getParam(p) != null) throw ApiException.badRequest(p + " is not supported by this server's pods/log");
            }
            if (QueryBool.parse(req.getParam("timestamps"))) throw ApiException.badRequest("timestamps is not supported by this server's pods/log");
            long tail = -1;
            String raw = req.getParam("tailLines");
            if (raw != null) {
                try {
                    tail = Long.parseLong(raw);
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest("tailLines: invalid value \"" + raw + "\": must be a whole number");
                }
                if (tail < 0) {
                    throw ApiException.invalid("PodLogOptions", "", "pods", name,
                            List.of(new Cause("FieldValueInvalid", "Invalid value: " + tail + ": must be greater than or equal to 0", "tailLines")));
                }
                tail = Math.min(tail, 999_999_999L);
            }
            String container = req.getParam("container");
            return new Options(container == null || container.isEmpty() ? null : container, QueryBool.parse(req.getParam("follow")), tail,
                    QueryBool.parse(req.getParam("previous")));
        }
    }

    private NodeRelay.Target target(String namespace, String name, Options o) {
        ResourceType pods = service.registry().find("", "v1", "pods").orElseThrow();
        ObjectNode pod = service.get(pods, namespace, name);
        List<String> containers = new ArrayList<>();
        for (JsonNode c : pod.path("spec").path("containers")) containers.add(c.path("name").asText());
        String container = o.container();
        if (container == null) {
            if (containers.size() != 1) {
                throw ApiException.badRequest("a container name must be specified for pod " + name + ", choose one of: " + containers);
            }
            container = containers.getFirst();
        } else if (!containers.contains(container)) {
            throw ApiException.badRequest("container " + container + " is not valid for pod " + name);
        }
        if (o.previous()) {
            // a launcher pod's container is never restarted: there is no previous one
            throw ApiException.badRequest("previous terminated container \"" + container + "\" in pod \"" + name + "\" not found");
        }
        String node = pod.path("spec").path("nodeName").asText("");
        String phase = pod.path("status").path("phase").asText("Pending");
        if (node.isEmpty() || phase.equals("Pending")) {
            throw ApiException.badRequest("container \"" + container + "\" in pod \"" + name + "\" is waiting to start: "
                    + (node.isEmpty() ? "pod has no node assigned" : "ContainerCreating"));
        }
        return relay.resolvePodLog(node, namespace, name, pod.path("metadata").path("uid").asText(), o.follow(), o.tailLines());
    }

    /** Reads the relay's answer line, then fails the request or streams the log bytes as the response body. */
    private static final class LogBridge {
        private final HttpServerRequest req;
        private final NetSocket sock;
        private final String name;
        private final RequestObservation observed;
        private final Buffer head = Buffer.buffer();
        private boolean streaming;

        LogBridge(HttpServerRequest req, NetSocket sock, String name, RequestObservation observed) {
            this.req = req;
            this.sock = sock;
            this.name = name;
            this.observed = observed;
        }

        /** The end handler, not the close handler, ends the response: it runs after the bytes a paused socket still holds. */
        void start() {
            sock.endHandler(v -> {
                if (streaming) {
                    if (!req.response().ended()) req.response().end();
                } else {
                    fail(req, new ApiException(502, "InternalError", "node agent closed the relay connection", null, null, null, List.of()));
                }
            });
            sock.handler(this::fromNode);
        }

        private void fromNode(Buffer b) {
            HttpServerResponse resp = req.response();
            if (streaming) {
                write(resp, b);
                return;
            }
            head.appendBuffer(b);
            int nl = -1;
            for (int i = 0; i < head.length(); i++) {
                if (head.getByte(i) == '\n') {
                    nl = i;
                    break;
                }
            }
            if (nl < 0) return;
            NodeRelay.Answer a = NodeRelay.Answer.parse(head.getString(0, nl, "UTF-8"));
            if (a.code() != 101) {
                sock.endHandler(null);
                sock.close();
                fail(req, a.code() == 404 ? ApiException.badRequest(a.message())
                        : new ApiException(a.code() >= 500 ? a.code() : 500, "InternalError", "node agent relay: " + a.message(),
                                null, null, null, List.of()));
                return;
            }
            streaming = true;
            resp.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/plain");
            resp.closeHandler(v -> {
                sock.close();
                observed.ended();
            });
            resp.exceptionHandler(e -> sock.close());
            Buffer rest = head.getBuffer(nl + 1, head.length());
            if (rest.length() > 0) write(resp, rest);
            else resp.writeHead(); // the headers go out now: kubectl logs -f waits on them
        }

        private void write(HttpServerResponse resp, Buffer b) {
            if (resp.closed() || resp.ended()) {
                sock.close();
                return;
            }
            resp.write(b);
            if (resp.writeQueueFull()) {
                sock.pause();
                resp.drainHandler(v -> sock.resume());
            }
        }
    }

    private static void fail(HttpServerRequest req, Throwable e) {
        if (req.response().ended() || req.response().headWritten()) return;
        Replies.error(req.response(), e instanceof ApiException x ? x : ApiException.unexpected(e));
    }
}
