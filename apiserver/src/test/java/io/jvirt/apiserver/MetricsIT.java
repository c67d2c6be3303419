package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The API server's {@code /metrics} through the stock kubectl ({@code kubectl get --raw /metrics}): authorized like
 * kube-apiserver's (cluster-admin and the {@code system:monitoring} role may read it, view may not), with
 * kube-apiserver's names and labels for requests, latencies and open watches (chunked and WebSocket), the store's
 * request latency, and no series made from paths the server does not serve.
 */
class MetricsIT {
    static RunningServer server;
    static Kubectl admin;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        admin = kubectl(server.kubeconfig());
        http = Http.admin(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    private static Kubectl kubectl(Path kubeconfig) throws Exception {
        return new Kubectl(kubeconfig, Files.createDirectories(server.dir.resolve("cache-" + kubeconfig.getFileName())));
    }

    private static ScrapedSamples scrape() throws Exception {
        Kubectl.Result r = admin.run("get", "--raw", "/metrics");
        assertEquals(0, r.exit(), r.all());
        return ScrapedSamples.parse(r.out());
    }

    /** Scrapes until {@code condition} holds (10 s at most); the last scrape. */
    private static ScrapedSamples scrapeUntil(Predicate<ScrapedSamples> condition) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        ScrapedSamples s = scrape();
        while (!condition.test(s) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            s = scrape();
        }
        assertTrue(condition.test(s), s.text());
        return s;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "system:monitoring | 0 | ''",
            "view              | 1 | forbidden: User \"u-view\" cannot get path \"/metrics\"",
            "edit              | 1 | forbidden: User \"u-edit\" cannot get path \"/metrics\"",
    })
    void readableByTheMonitoringRoleOnly(String role, int exit, String message) throws Exception {
        String user = "u-" + role.replace("system:", "");
        Kubectl k = kubectl(server.kubeconfigFor(user, role));
        Kubectl.Result r = k.run("get", "--raw", "/metrics");
        assertEquals(exit, r.exit(), r.all());
        assertTrue(r.err().contains(message), r.all());
        if (exit == 0) assertTrue(r.out().contains("# TYPE apiserver_request_total counter"), r.out());
    }

    @Test
    void countsRequestsByVerbResourceScopeAndCode() throws Exception {
        assertEquals(0, admin.run("create", "configmap", "counted", "--from-literal=a=b").exit());
        admin.run("get", "configmap", "counted");
        admin.run("get", "configmap", "missing");
        admin.run("get", "configmaps", "-A");
        ScrapedSamples s = scrape();
        String[] cm = {"group", "", "version", "v1", "resource", "configmaps", "component", "apiserver", "dry_run", "", "subresource", ""};
        assertTrue(s.sum("apiserver_request_total", with(cm, "verb", "POST", "scope", "namespace", "code", "201")) >= 1, s.text());
        assertTrue(s.sum("apiserver_request_total", with(cm, "verb", "GET", "scope", "resource", "code", "200")) >= 1, s.text());
        assertTrue(s.sum("apiserver_request_total", with(cm, "verb", "GET", "scope", "resource", "code", "404")) >= 1, s.text());
        assertTrue(s.sum("apiserver_request_total", with(cm, "verb", "LIST", "scope", "cluster", "code", "200")) >= 1, s.text());
        assertTrue(s.sum("apiserver_request_duration_seconds_count", with(cm, "verb", "POST", "scope", "namespace")) >= 1, s.text());
        assertTrue(s.sum("apiserver_request_duration_seconds_bucket", with(cm, "verb", "POST", "scope", "namespace", "le", "60.0")) >= 1, s.text());
        assertTrue(s.sum("jvirt_store_request_duration_seconds_count", "operation", "create", "type", "configmaps") >= 1, s.text());
        assertTrue(s.sum("jvirt_store_request_duration_seconds_count", "operation", "get", "type", "configmaps") >= 1, s.text());
    }

    @Test
    void serverSideApplyAndDryRunAreTheirOwnLabels() throws Exception {
        String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: b\n";
        assertEquals(0, admin.run(60, yaml, "apply", "--server-side", "-f", "-").exit());
        assertEquals(0, admin.run("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server").exit());
        ScrapedSamples s = scrape();
        assertTrue(s.sum("apiserver_request_total", "verb", "APPLY", "resource", "configmaps", "scope", "resource") >= 1, s.text());
        assertTrue(s.sum("apiserver_request_total", "verb", "POST", "resource", "configmaps", "dry_run", "All") >= 1, s.text());
    }

    @Test
    void aChunkedWatchIsLongRunningUntilItEnds() throws Exception {
        Path out = server.dir.resolve("watch.out");
        Process watch = admin.start(out, "get", "services", "-w");
        try {
            scrapeUntil(s -> s.sum("apiserver_longrunning_requests", "verb", "WATCH", "resource", "services") == 1);
        } finally {
            watch.destroy();
            watch.waitFor(10, TimeUnit.SECONDS);
        }
        ScrapedSamples s = scrapeUntil(x -> x.sum("apiserver_longrunning_requests", "verb", "WATCH", "resource", "services") == 0);
        assertTrue(s.sum("apiserver_request_total", "verb", "WATCH", "resource", "services", "code", "200") >= 1, s.text());
    }

    @Test
    void aWebSocketWatchIsLongRunningUntilItCloses() throws Exception {
        WebSocket ws = http.client.newWebSocketBuilder().header("Authorization", "Bearer " + http.token())
                .buildAsync(URI.create(http.base().replace("https:", "wss:") + "/api/v1/namespaces/default/secrets?watch=true"),
                        new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
        try {
            scrapeUntil(s -> s.sum("apiserver_longrunning_requests", "verb", "WATCH", "resource", "secrets") == 1);
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        }
        ScrapedSamples s = scrapeUntil(x -> x.sum("apiserver_longrunning_requests", "verb", "WATCH", "resource", "secrets") == 0);
        assertTrue(s.sum("apiserver_request_total", "verb", "WATCH", "resource", "secrets", "scope", "namespace") >= 1, s.text());
    }

    @Test
    void pathsTheServerDoesNotServeShareOneSeries() throws Exception {
        assertEquals(404, http.get("/no-such-path-1").code());
        assertEquals(404, http.get("/no-such-path-2/x").code());
        assertEquals(401, http.withToken("wrong").get("/no-such-path-3").code());
        assertEquals(200, http.get("/readyz").code());
        ScrapedSamples s = scrape();
        assertTrue(s.text().contains("apiserver_request_total"), s.text());
        assertTrue(!s.text().contains("no-such-path"), s.text());
        assertTrue(s.sum("apiserver_request_total", "verb", "GET", "subresource", "other", "code", "404") >= 2, s.text());
        assertTrue(s.sum("apiserver_request_total", "verb", "GET", "resource", "", "subresource", "", "code", "401") >= 1, s.text());
        assertTrue(s.sum("apiserver_request_total", "verb", "GET", "subresource", "/readyz", "code", "200") >= 1, s.text());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/apis/metrics.k8s.io/v1beta1/nodes                        | 200 | \"kind\":\"NodeMetricsList\"",
            "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods      | 200 | \"kind\":\"PodMetricsList\"",
            "/apis/metrics.k8s.io/v1beta1/pods                         | 200 | \"items\":[]",
            "/apis/metrics.k8s.io/v1beta1/nodes/n1                     | 404 | nodemetrics.metrics.k8s.io \"n1\" not found",
            "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/p    | 404 | podmetrics.metrics.k8s.io \"default/p\" not found",
            "/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dx   | 400 | labelSelector is not supported",
            "/apis/metrics.k8s.io/v1beta1/nodes?watch=true             | 405 | does not allow this method",
            "/apis/metrics.k8s.io/v1beta1/services                     | 404 | ''",
            "/apis/metrics.k8s.io/v1beta1                              | 200 | \"name\":\"nodes\",\"singularName\":\"\",\"namespaced\":false,\"kind\":\"NodeMetrics\"",
            "/apis                                                     | 200 | \"name\":\"metrics.k8s.io\"",
    })
    void resourceMetricsApiWithoutNodes(String path, int code, String body) throws Exception {
        Http.Reply r = http.get(path);
        assertEquals(code, r.code(), r.raw());
        String text = code == 200 ? r.raw() : r.body().path("message").asText();
        assertTrue(text.contains(body), r.raw());
    }

    @ParameterizedTest(name = "{0} top pod -> {1}")
    @CsvSource(delimiter = '|', value = {
            "view | 0",
            "none | 1",
    })
    void kubectlTopIsForThoseWhoMayView(String role, int exit) throws Exception {
        Kubectl k = role.equals("none") ? kubectl(server.kubeconfigFor("u-top-none", "kubevirt.io:default")) : kubectl(server.kubeconfigFor("u-top-" + role, role));
        Kubectl.Result r = k.run("get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods");
        assertEquals(exit, r.exit(), r.all());
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
