package io.jvirt.apiserver.subresources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.metrics.NodeUsage;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.ApiPath;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.http.Replies;
import io.jvirt.apiserver.metrics.RequestObservation;
import io.jvirt.apiserver.rbac.RbacAuthorizer;
import io.jvirt.apiserver.rbac.RequestAttributes;
import io.jvirt.apiserver.security.User;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The resource metrics API {@code metrics.k8s.io/v1beta1} (what metrics-server serves, so {@code kubectl top node}
 * and {@code kubectl top pod} work): NodeMetrics ({@code nodes}, cluster-wide) and PodMetrics ({@code pods}, per
 * namespace or in all), get and list, from the figures each node agent samples ({@link NodeUsage} over the relay,
 * action {@code usage}); a node whose agent has no figures yet or does not answer is left out, as metrics-server
 * leaves out what it has not scraped. Authorized as resources of group {@code metrics.k8s.io}; discovery lists the
 * group. Label and field selectors are refused (400), not ignored. Thread-safe.
 */
public final class MetricsApiEndpoint {
    public static final String GROUP = "metrics.k8s.io";
    public static final String VERSION = "v1beta1";
    private static final String PREFIX = "/apis/" + GROUP;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final ObjectService service;
    private final RbacAuthorizer authorizer;
    private final NodeRelay relay;

    public MetricsApiEndpoint(Vertx vertx, ObjectService service, RbacAuthorizer authorizer) {
        this.vertx = vertx;
        this.service = service;
        this.authorizer = authorizer;
        this.relay = new NodeRelay(service);
    }

    /** Whether {@code path} belongs to {@code metrics.k8s.io}. */
    public static boolean handles(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** Answers {@code req} for the authenticated {@code user} (discovery already authorized); failures are Status objects. */
    public void serve(HttpServerRequest req, User user, RequestObservation observed) {
        String path = req.path().replaceAll("/+$", "");
        String[] seg = path.split("/");
        if (seg.length == 3) {
            Replies.json(req.response(), 200, group(true), "application/json", List.of());
            return;
        }
        if (!seg[3].equals(VERSION)) throw ApiException.pathNotFound(req.path());
        if (seg.length == 4) {
            Replies.json(req.response(), 200, resourceList(), "application/json", List.of());
            return;
        }
        ApiPath api = ApiPath.parse(path).filter(a -> a.subresource() == null).orElseThrow(() -> ApiException.pathNotFound(req.path()));
        boolean nodes = api.plural().equals("nodes");
        if (!(nodes && api.namespace() == null) && !api.plural().equals("pods")) throw ApiException.pathNotFound(req.path());
        String verb = api.name() == null ? "list" : "get";
        observed.resource(verb, GROUP, VERSION, api.plural(), null, api.namespace(), api.name());
        if (req.method() != HttpMethod.GET || io.jvirt.apiserver.http.QueryBool.parse(req.getParam("watch"))) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        if (!authorizer.authorize(RequestAttributes.resource(user, verb, GROUP, api.plural(), null, api.namespace(), api.name()))) {
            throw ApiException.forbidden(user.name(), verb, api.plural(), GROUP, api.name(), api.namespace());
        }
        for (String p : List.of("labelSelector", "fieldSelector")) {
            String v = req.getParam(p);
            if (v != null && !v.isEmpty()) throw ApiException.badRequest(p + " is not supported by this server's metrics.k8s.io");
        }
        vertx.executeBlocking(() -> nodes ? nodeMetrics(api.name()) : podMetrics(api.namespace(), api.name()), false).onComplete(ar -> {
            if (ar.succeeded()) Replies.json(req.response(), 200, ar.result(), "application/json", List.of());
            else Replies.error(req.response(), ar.cause() instanceof ApiException e ? e : ApiException.unexpected(ar.cause()));
        });
    }

    /** The figures of every node agent that has them, paired with the node's name. */
    private List<NamedUsage> usages() {
        List<NamedUsage> out = new ArrayList<>();
        var nodeType = service.registry().find("", "v1", "nodes").orElseThrow();
        for (JsonNode n : service.list(nodeType, null, null, 0, null).path("items")) {
            String node = n.path("metadata").path("name").asText();
            try {
                out.add(new NamedUsage(node, JSON.readValue(NodeRelay.fetch(relay.resolveAction(node, "usage")), NodeUsage.class)));
            } catch (ApiException | IOException e) {
                // no figures from this node (yet): left out
            }
        }
        return out;
    }

    private record NamedUsage(String node, NodeUsage usage) {}

    private ObjectNode nodeMetrics(String name) {
        ArrayNode items = Codec.NODES.arrayNode();
        for (NamedUsage u : usages()) {
            if (name != null && !name.equals(u.node())) continue;
            ObjectNode m = item("NodeMetrics", u.node(), null, u.usage());
            m.set("usage", quantities(u.usage().node()));
            items.add(m);
        }
        return name == null ? list("NodeMetricsList", items) : single(items, "nodemetrics", name);
    }

    private ObjectNode podMetrics(String namespace, String name) {
        ArrayNode items = Codec.NODES.arrayNode();
        for (NamedUsage u : usages()) {
            for (NodeUsage.PodUsage p : u.usage().pods()) {
                if (namespace != null && !namespace.equals(p.namespace()) || name != null && !name.equals(p.name())) continue;
                ObjectNode m = item("PodMetrics", p.name(), p.namespace(), u.usage());
                m.putArray("containers").addObject().put("name", "compute").set("usage", quantities(p.usage()));
                items.add(m);
            }
        }
        return name == null ? list("PodMetricsList", items) : single(items, "podmetrics", namespace + "/" + name);
    }

    private static ObjectNode item(String kind, String name, String namespace, NodeUsage usage) {
        ObjectNode m = Codec.NODES.objectNode().put("kind", kind).put("apiVersion", GROUP + "/" + VERSION);
        ObjectNode meta = m.putObject("metadata").put("name", name);
        if (namespace != null) meta.put("namespace", namespace);
        meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("timestamp", usage.timestamp()).put("window", Math.round(usage.windowSeconds()) + "s");
        return m;
    }

    /** CPU in nanocores and memory in KiB, as metrics-server writes them. */
    private static ObjectNode quantities(NodeUsage.Usage u) {
        return Codec.NODES.objectNode().put("cpu", u.cpuNanoCores() + "n").put("memory", (u.memoryBytes() / 1024) + "Ki");
    }

    private static ObjectNode list(String kind, ArrayNode items) {
        ObjectNode l = Codec.NODES.objectNode().put("kind", kind).put("apiVersion", GROUP + "/" + VERSION);
        l.putObject("metadata");
        l.set("items", items);
        return l;
    }

    private static ObjectNode single(ArrayNode items, String plural, String name) {
        if (items.isEmpty()) throw ApiException.notFound(plural, GROUP, name);
        return (ObjectNode) items.get(0);
    }

    /** The group's entry for an APIGroupList, or with kind APIGroup when {@code standalone}. */
    public static ObjectNode group(boolean standalone) {
        ObjectNode g = Codec.NODES.objectNode();
        if (standalone) g.put("kind", "APIGroup").put("apiVersion", "v1");
        g.put("name", GROUP);
        g.putArray("versions").addObject().put("groupVersion", GROUP + "/" + VERSION).put("version", VERSION);
        g.putObject("preferredVersion").put("groupVersion", GROUP + "/" + VERSION).put("version", VERSION);
        return g;
    }

    /** The APIResourceList of v1beta1: nodes (cluster-wide) and pods, get and list. */
    public static ObjectNode resourceList() {
        ObjectNode o = Codec.NODES.objectNode().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", GROUP + "/" + VERSION);
        ArrayNode rs = o.putArray("resources");
        for (String[] r : List.of(new String[] {"nodes", "NodeMetrics", "false"}, new String[] {"pods", "PodMetrics", "true"})) {
            ObjectNode x = rs.addObject().put("name", r[0]).put("singularName", "").put("namespaced", Boolean.parseBoolean(r[2])).put("kind", r[1]);
            x.putArray("verbs").add("get").add("list");
        }
        return o;
    }

    /** The group's item for aggregated discovery (APIGroupDiscoveryList v2). */
    public static ObjectNode aggregatedItem() {
        ObjectNode item = Codec.NODES.objectNode();
        item.putObject("metadata").put("name", GROUP);
        ObjectNode ver = item.putArray("versions").addObject().put("version", VERSION).put("freshness", "Current");
        ArrayNode rs = ver.putArray("resources");
        for (String[] r : List.of(new String[] {"nodes", "NodeMetrics", "Cluster"}, new String[] {"pods", "PodMetrics", "Namespaced"})) {
            ObjectNode x = rs.addObject().put("resource", r[0]);
            x.putObject("responseKind").put("group", GROUP).put("version", VERSION).put("kind", r[1]);
            x.put("scope", r[2]).put("singularResource", r[0].substring(0, r[0].length() - 1));
            x.putArray("verbs").add("get").add("list");
        }
        return item;
    }
}
