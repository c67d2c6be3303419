package io.jvirt.apiserver.metrics;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request as {@link ApiMetrics} counts it. Made when the request arrives ({@link #begin}); routing names what
 * it addresses ({@link #resource} or {@link #nonResource}); it is counted once, when its response ends or its
 * connection closes (a watch or stream at its end, as kube-apiserver does), with the response's code. A request never
 * routed (rejected before, e.g. 401) counts with empty group, resource and path labels, and a non-resource path that
 * is not served as {@code other}, so no client can make series without bound. Long-running requests (watch,
 * followed logs, console and VNC streams) are in {@code apiserver_longrunning_requests} while open. Thread-safe.
 */
public final class RequestObservation {
    /** Long-running subresources, as kube-apiserver's (plus KubeVirt's streams). */
    private static final Set<String> STREAMS = Set.of("log", "console", "vnc", "exec", "attach", "portforward", "proxy");

    private final ApiMetrics metrics;
    private final HttpServerRequest req;
    private final long start = System.nanoTime();
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile String[] labels;
    private volatile boolean longRunning;

    private RequestObservation(ApiMetrics metrics, HttpServerRequest req) {
        this.metrics = metrics;
        this.req = req;
    }

    /** Starts observing {@code req}: its end, however it comes, is counted once. */
    public static RequestObservation begin(ApiMetrics metrics, HttpServerRequest req) {
        RequestObservation o = new RequestObservation(metrics, req);
        HttpServerResponse resp = req.response();
        resp.endHandler(v -> o.ended());
        resp.closeHandler(v -> o.ended());
        return o;
    }

    /**
     * A resource request.
     *
     * @param verb the request's RBAC verb ({@code get}, {@code list}, {@code watch}, {@code create}, ...)
     * @param namespace null for a cluster-wide request
     * @param name null for a collection
     */
    public void resource(String verb, String group, String version, String resource, String subresource, String namespace, String name) {
        String scope = name != null ? "resource" : namespace != null ? "namespace" : "cluster";
        String dryRun = req.getParam("dryRun") == null ? "" : req.getParam("dryRun");
        labels = new String[] {metricVerb(verb), dryRun, group, version, resource, subresource == null ? "" : subresource, scope, "apiserver"};
        if (verb.equals("watch") || (subresource != null && STREAMS.contains(subresource) && (!subresource.equals("log") || follows()))) {
            startLongRunning();
        }
    }

    /** A request for a path that names no resource ({@code /metrics}, discovery, {@code /openapi/...}, health). */
    public void nonResource(String path) {
        labels = new String[] {req.method().name(), "", "", "", "", path, "", "apiserver"};
    }

    private boolean follows() {
        String f = req.getParam("follow");
        return f != null && !f.equals("0") && !f.equalsIgnoreCase("false");
    }

    /** kube-apiserver's verb label: the upper-case route verb, APPLY for a server-side apply patch. */
    private String metricVerb(String verb) {
        return switch (verb) {
            case "create" -> "POST";
            case "update" -> "PUT";
            case "patch" -> String.valueOf(req.getHeader("Content-Type")).startsWith("application/apply-patch") ? "APPLY" : "PATCH";
            default -> verb.toUpperCase(Locale.ROOT);
        };
    }

    private void startLongRunning() {
        String[] l = labels;
        longRunning = true;
        metrics.longRunning.labelValues(l[0], l[2], l[3], l[4], l[5], l[6], l[7]).inc();
    }

    /**
     * Counts the request now, once: for an endpoint that takes the connection over (a watch, a relayed stream), whose
     * own close handlers replace the response's.
     */
    public void ended() {
        if (!done.compareAndSet(false, true)) return;
        int code = req.response().getStatusCode();
        String[] l = labels;
        if (l == null) l = new String[] {req.method().name(), "", "", "", "", "", "", "apiserver"}; // never routed: no path, unbounded
        else if (l[4].isEmpty() && code == 404) l[5] = "other"; // an unknown path: one series for all of them
        if (longRunning) metrics.longRunning.labelValues(l[0], l[2], l[3], l[4], l[5], l[6], l[7]).dec();
        metrics.requests.labelValues(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], Integer.toString(code)).inc();
        metrics.latencies.labelValues(l).observe((System.nanoTime() - start) / 1e9);
    }
}
