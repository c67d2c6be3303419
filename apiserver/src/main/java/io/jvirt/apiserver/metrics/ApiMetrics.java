package io.jvirt.apiserver.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The API server's own metrics, named and labelled as kube-apiserver's where it has them:
 * {@code apiserver_request_total} and {@code apiserver_request_duration_seconds} (by verb, dry_run, group,
 * version, resource, subresource, scope, component, and code for the counter), {@code apiserver_longrunning_requests}
 * (watches and streams open now), and {@code jvirt_store_request_duration_seconds} (by operation and type: each call
 * of the SQLite store, a write's commit and fsync included; kube-apiserver's counterpart is etcd_request_duration_seconds,
 * a name jvirt does not borrow as there is no etcd). One registry per server; thread-safe.
 */
public final class ApiMetrics {
    /** The content type of {@link #scrape()}: Prometheus' text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /** kube-apiserver's buckets for apiserver_request_duration_seconds. */
    private static final double[] REQUEST_BUCKETS = {0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10,
            15, 20, 30, 45, 60};
    /** Finer than etcd_request_duration_seconds' buckets: a SQLite commit takes about a millisecond. */
    private static final double[] STORE_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter requests = Counter.builder().name("apiserver_request_total")
            .help("Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.")
            .labelNames("verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code")
            .register(registry);
    final Histogram latencies = Histogram.builder().name("apiserver_request_duration_seconds")
            .help("Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.")
            .labelNames("verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component")
            .classicOnly().classicUpperBounds(REQUEST_BUCKETS)
            .register(registry);
    final Gauge longRunning = Gauge.builder().name("apiserver_longrunning_requests")
            .help("Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.")
            .labelNames("verb", "group", "version", "resource", "subresource", "scope", "component")
            .register(registry);
    final Histogram store = Histogram.builder().name("jvirt_store_request_duration_seconds")
            .help("Store (SQLite) request latency in seconds for each operation and object type; writes include the commit and its fsync.")
            .labelNames("operation", "type")
            .classicOnly().classicUpperBounds(STORE_BUCKETS)
            .register(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder().build();

    /** Every metric now, in the text exposition format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
