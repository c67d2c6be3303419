package io.jvirt.apiserver.subresources;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Replies;
import io.jvirt.apiserver.metrics.MetricFamilies;
import io.jvirt.apiserver.resources.ResourceType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node agents' metrics (KubeVirt's VMI metrics, Prometheus text) through the API server, relayed from each
 * node agent ({@link NodeRelay}, action {@code metrics}): one node at kubelet's path
 * {@code /api/v1/nodes/<node>/proxy/metrics} (authorized as {@code get nodes/proxy}, by the caller), and every node
 * merged into one scrape target at {@code /metrics/kubevirt} (a non-resource URL, {@code get} in the
 * {@code system:monitoring} role), where a node whose agent does not answer is left out and named in the
 * log. Blocking relay calls run on worker threads. Thread-safe.
 */
public final class NodeMetricsEndpoint {
    /** The merged target's path. */
    public static final String ALL_NODES = "/metrics/kubevirt";
    private static final System.Logger LOG = System.getLogger(NodeMetricsEndpoint.class.getName());
    private static final Pattern NODE_PROXY = Pattern.compile("/api/v1/nodes/([^/]+)/proxy(/.*)?");
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final ObjectService service;
    private final NodeRelay relay;

    public NodeMetricsEndpoint(Vertx vertx, ObjectService service) {
        this.vertx = vertx;
        this.service = service;
        this.relay = new NodeRelay(service);
    }

    /** The node of a {@code nodes/<node>/proxy[/...]} path, or empty for another path. */
    public static Optional<String> proxiedNode(String path) {
        Matcher m = NODE_PROXY.matcher(path);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Answers {@code GET nodes/<node>/proxy/metrics}; any other proxied path is 404 (only metrics are served). */
    public void serveNode(HttpServerRequest req, String node) {
        if (!req.path().equals("/api/v1/nodes/" + node + "/proxy/metrics")) throw ApiException.pathNotFound(req.path());
        if (req.method() != io.vertx.core.http.HttpMethod.GET) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        reply(req, () -> {
            service.get(nodes(), null, node); // 404 for a node that does not exist
            return new String(NodeRelay.fetch(relay.resolveAction(node, "metrics")), StandardCharsets.UTF_8);
        });
    }

    /** Answers {@code GET /metrics/kubevirt}: the metrics of every node agent that answers, merged. */
    public void serveAll(HttpServerRequest req) {
        reply(req, () -> {
            List<String> scrapes = new ArrayList<>();
            for (JsonNode n : service.list(nodes(), null, null, 0, null).path("items")) {
                String node = n.path("metadata").path("name").asText();
                try {
                    scrapes.add(new String(NodeRelay.fetch(relay.resolveAction(node, "metrics")), StandardCharsets.UTF_8));
                } catch (ApiException e) {
                    LOG.log(System.Logger.Level.WARNING, "metrics of node " + node + " left out: " + e.getMessage());
                }
            }
            return MetricFamilies.merge(scrapes);
        });
    }

    private ResourceType nodes() {
        return service.registry().find("", "v1", "nodes").orElseThrow();
    }

    private void reply(HttpServerRequest req, java.util.concurrent.Callable<String> text) {
        vertx.executeBlocking(text, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Replies.send(req.response(), 200, ar.result().getBytes(StandardCharsets.UTF_8), CONTENT_TYPE, List.of());
            } else {
                Replies.error(req.response(), ar.cause() instanceof ApiException e ? e : ApiException.unexpected(ar.cause()));
            }
        });
    }
}
