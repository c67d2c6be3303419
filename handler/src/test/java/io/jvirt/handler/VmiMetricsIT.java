package io.jvirt.handler;

import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.VmiStatusView.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.handler.vmi.VmiAgent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt's VMI metrics as a user meets them: the embedded API server, the real controller process, this node
 * agent with QEMU (driven over QMP by the agent's supervisors) running two copies of {@code examples/vmi-ephemeral.yaml}. The stock kubectl
 * reads the node's metrics at kubelet's path ({@code kubectl get --raw /api/v1/nodes/<node>/proxy/metrics}; a view
 * user gets 403), and a real Prometheus (Debian's {@code prometheus}, on loopback with a temporary config and data
 * directory and a {@code system:monitoring} token) scrapes the API server's {@code /metrics} and the merged
 * {@code /metrics/kubevirt}: its query for {@code kubevirt_vmi_phase_count{phase="running"}} answers 2 while both
 * run and 1 once one is deleted, and the memory, vCPU and storage figures are there. {@code kubectl top node} and
 * {@code kubectl top pod} show the node's and both launcher pods' figures (QEMU's cgroup) through {@code metrics.k8s.io}. Two QEMU boots.
 */
class VmiMetricsIT {
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private static final Path EXAMPLES = Path.of(System.getProperty("jvirt.examples.dir", "../examples"));
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String NODE = "node-metrics";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void kubectlAndARealPrometheusSeeTheRunningVmis() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        assertTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus is missing: scripts/env.sh installs it (jvirt_install_packages)");
        Path data = Files.createTempDirectory("jvirt-vmi-metrics-it");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx--x--x")); // QEMU's user passes
        String java = ProcessHandle.current().info().command().orElseThrow();
        try (EmbeddedApi api = EmbeddedApi.start()) {
            Process controller = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    "io.jvirt.controller.ControllerMain", api.kubeconfig(ComponentIdentity.CONTROLLER).toString(),
                    "--scheduler-kubeconfig", api.kubeconfig(ComponentIdentity.SCHEDULER).toString())
                    .redirectErrorStream(true).redirectOutput(data.resolve("controller.log").toFile()).start();
            NodeAgent agent = new NodeAgent(api.nodeAgent, HandlerConfig.defaults(NODE, data.resolve("node"), BUILD)
                    .withHeartbeat(Duration.ofSeconds(2)));
            Process prometheus = null;
            try {
                agent.start();
                String example = Files.readString(EXAMPLES.resolve("vmi-ephemeral.yaml"));
                for (String name : List.of("metrics-a", "metrics-b")) {
                    Path file = Files.writeString(data.resolve(name + ".yaml"), example.replace("name: vmi-ephemeral", "name: " + name));
                    api.kubectl("create", "-f", file.toString());
                }
                for (String name : List.of("metrics-a", "metrics-b")) {
                    Waits.until("VMI " + name + " Running", Duration.ofSeconds(180), () -> "Running".equals(phase(api, name)));
                }

                String nodeMetrics = api.kubectl("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/metrics");
                assertTrue(nodeMetrics.lines().anyMatch(l -> l.startsWith("kubevirt_vmi_phase_count{") && l.contains("node=\"" + NODE + "\"")
                        && l.contains("phase=\"running\"") && l.endsWith(" 2.0")), nodeMetrics);
                assertEquals(2, nodeMetrics.lines().filter(l -> l.startsWith("kubevirt_vmi_info{")).count(), nodeMetrics);
                Path viewer = api.kubeconfigFor("viewer", "view");
                Process refused = new ProcessBuilder("kubectl", "--kubeconfig", viewer.toString(), "get", "--raw",
                        "/api/v1/nodes/" + NODE + "/proxy/metrics").redirectErrorStream(true).start();
                String refusal = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(refused.waitFor(60, TimeUnit.SECONDS) && refused.exitValue() != 0 && refusal.contains("Forbidden"), refusal);

                int port = freePort();
                prometheus = startPrometheus(api, data.resolve("prometheus"), port);
                Prometheus prom = new Prometheus(port);
                Waits.until("Prometheus sees 2 running VMIs", Duration.ofSeconds(60),
                        () -> prom.value("sum(kubevirt_vmi_phase_count{phase=\"running\"})") == 2);
                // each job's first scrape comes at its own offset within the interval: wait for both to have been scraped
                Waits.until("both jobs scraped", Duration.ofSeconds(30),
                        () -> !Double.isNaN(prom.value("up{job=\"jvirt-apiserver\"}")) && !Double.isNaN(prom.value("up{job=\"kubevirt\"}")));
                assertEquals(1, prom.value("up{job=\"jvirt-apiserver\"}"));
                assertEquals(1, prom.value("up{job=\"kubevirt\"}"));
                assertTrue(prom.value("sum(apiserver_request_total{resource=\"virtualmachineinstances\",verb=\"POST\",code=\"201\"})") >= 2);
                assertEquals(2, prom.value("count(kubevirt_vmi_info{node=\"" + NODE + "\",phase=\"running\"})"));
                for (String name : List.of("metrics-a", "metrics-b")) {
                    String vmi = "{name=\"" + name + "\",namespace=\"default\",node=\"" + NODE + "\"}";
                    assertEquals(128 << 20, prom.value("kubevirt_vmi_memory_domain_bytes" + vmi), name);
                    assertTrue(prom.value("kubevirt_vmi_memory_resident_bytes" + vmi) > 16 << 20, name + ": QEMU is resident");
                    Waits.until(name + " vCPU 0 has run", Duration.ofSeconds(60),
                            () -> prom.value("sum(kubevirt_vmi_vcpu_seconds_total{name=\"" + name + "\",id=\"0\",state=\"running\"})") > 0);
                    Waits.until(name + " read its containerDisk", Duration.ofSeconds(60),
                            () -> prom.value("sum(kubevirt_vmi_storage_read_traffic_bytes_total{name=\"" + name + "\",drive=\"containerdisk\"})") > 0
                                    && prom.value("sum(kubevirt_vmi_storage_iops_read_total{name=\"" + name + "\",drive=\"containerdisk\"})") > 0);
                    assertTrue(prom.value("sum(kubevirt_vmi_cpu_usage_seconds_total" + vmi + ")") > 0, name);
                }

                String top = Waits.until("kubectl top node", Duration.ofSeconds(60), () -> quietly(api, "top", "node"));
                String nodeRow = top.lines().filter(l -> l.startsWith(NODE + " ")).map(String::strip).findFirst().orElseThrow(() -> new AssertionError(top));
                assertTrue(nodeRow.matches(NODE + " +\\d+m +\\d+% +\\d+Mi +\\d+%"), top);
                String pods = Waits.until("kubectl top pod shows both launcher pods", Duration.ofSeconds(60), () -> {
                    String out = quietly(api, "top", "pod", "-n", "default");
                    return out != null && out.contains("virt-launcher-metrics-a-") && out.contains("virt-launcher-metrics-b-") ? out : null;
                });
                for (String row : pods.lines().filter(l -> l.startsWith("virt-launcher-")).map(String::strip).toList()) {
                    assertTrue(row.matches("virt-launcher-metrics-[ab]-\\S+ +\\d+m +\\d+Mi") && !row.matches(".* 0Mi"), pods);
                }

                api.kubectl("delete", "vmi", "metrics-b", "--wait=false");
                Waits.until("Prometheus sees 1 running VMI", Duration.ofSeconds(90),
                        () -> prom.value("sum(kubevirt_vmi_phase_count{phase=\"running\"})") == 1);
            } finally {
                if (prometheus != null) {
                    prometheus.destroy();
                    prometheus.waitFor(20, TimeUnit.SECONDS);
                }
                api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").delete();
                api.deletePods();
                Waits.until("pods cleaned up", Duration.ofSeconds(90), () -> noPodsIn(data.resolve("node/pods")));
                agent.close();
                controller.destroy();
                controller.waitFor(20, TimeUnit.SECONDS);
                controller.destroyForcibly();
            }
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Debian's Prometheus on 127.0.0.1:{@code port}, scraping every 2 s, with a bearer token of a user in
     * {@code system:monitoring} and the API server's CA: job {@code jvirt-apiserver} at {@code /metrics} and job
     * {@code kubevirt} at {@code /metrics/kubevirt}.
     */
    private static Process startPrometheus(EmbeddedApi api, Path dir, int port) throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Path token = dir.resolve("token");
        Files.writeString(token, api.addUser("prometheus", "system:monitoring"));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        String target = URI.create(api.url()).getAuthority();
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\nscrape_configs:\n");
        for (String[] job : List.of(new String[] {"jvirt-apiserver", "/metrics"}, new String[] {"kubevirt", "/metrics/kubevirt"})) {
            config.append("  - job_name: ").append(job[0]).append("\n    scheme: https\n    metrics_path: ").append(job[1])
                    .append("\n    tls_config:\n      ca_file: ").append(api.caCert())
                    .append("\n    authorization:\n      credentials_file: ").append(token)
                    .append("\n    static_configs:\n      - targets: ['").append(target).append("']\n");
        }
        Path file = Files.writeString(dir.resolve("prometheus.yml"), config);
        Process p = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + file, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        Prometheus prom = new Prometheus(port);
        try {
            Waits.until("Prometheus ready", Duration.ofSeconds(60), prom::ready);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(dir.resolve("prometheus.log")), e);
        }
        return p;
    }

    /** Prometheus' HTTP API on loopback. */
    private record Prometheus(int port) {
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        boolean ready() {
            try {
                return get("/-/ready").statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** The value of an instant query with one result, NaN when it has none (fails on more than one). */
        double value(String query) {
            try {
                HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
                JsonNode body = JSON.readTree(r.body());
                assertEquals("success", body.path("status").asText(), r.body());
                JsonNode result = body.path("data").path("result");
                List<JsonNode> rows = new ArrayList<>();
                result.forEach(rows::add);
                if (rows.isEmpty()) return Double.NaN;
                assertEquals(1, rows.size(), query + ": " + r.body());
                return Double.parseDouble(rows.getFirst().path("value").get(1).asText());
            } catch (IOException e) {
                throw new AssertionError("query " + query + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        private HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** kubectl's output, or null when it failed (the figures are not there yet). */
    private static String quietly(EmbeddedApi api, String... args) {
        try {
            return api.kubectl(args);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String phase(EmbeddedApi api, String name) {
        GenericKubernetesResource v = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(name).get();
        return v == null ? null : String.valueOf(status(v).get("phase"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
