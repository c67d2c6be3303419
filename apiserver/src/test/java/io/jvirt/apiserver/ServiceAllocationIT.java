package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kube-apiserver's Service allocation on the real server over HTTP (and the stock kubectl's view of it): cluster IPs from
 * 10.96.0.0/12, node ports from 30000-32767, the asked-for values checked with kube's messages, kept on update.
 */
class ServiceAllocationIT {
    private static final String SVCS = "/api/v1/namespaces/default/services";
    static RunningServer server;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        http = Http.admin(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    private static String service(String name, String extraSpec, String port) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + extraSpec
                + "\"selector\":{\"app\":\"x\"},\"ports\":[" + port + "]}}";
    }

    @Test
    void clusterIpsAndNodePortsAreAllocatedDistinctAndKept() throws Exception {
        Set<String> ips = new HashSet<>();
        Set<Integer> nodePorts = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Http.Reply r = http.post(SVCS, service("alloc-" + i, "\"type\":\"NodePort\",", "{\"port\":80,\"targetPort\":8080}"));
            assertEquals(201, r.code(), r.raw());
            JsonNode spec = r.body().path("spec");
            String ip = spec.path("clusterIP").asText();
            assertTrue(ip.startsWith("10.9") || ip.startsWith("10.10") || ip.startsWith("10.11"), ip);
            assertEquals(ip, spec.path("clusterIPs").path(0).asText());
            assertEquals("[\"IPv4\"]", spec.path("ipFamilies").toString());
            assertEquals("SingleStack", spec.path("ipFamilyPolicy").asText());
            assertEquals("Cluster", spec.path("externalTrafficPolicy").asText());
            int np = spec.path("ports").path(0).path("nodePort").asInt();
            assertTrue(np >= 30000 && np <= 32767, "node port " + np);
            ips.add(ip);
            nodePorts.add(np);
        }
        assertEquals(20, ips.size(), "distinct cluster IPs");
        assertEquals(20, nodePorts.size(), "distinct node ports");

        JsonNode before = http.get(SVCS + "/alloc-0").body();
        Http.Reply replaced = http.put(SVCS + "/alloc-0", service("alloc-0", "\"type\":\"NodePort\",", "{\"port\":80,\"targetPort\":9090}")
                .replace("\"name\":\"alloc-0\"}", "\"name\":\"alloc-0\",\"resourceVersion\":\"" + before.path("metadata").path("resourceVersion").asText() + "\"}"));
        assertEquals(200, replaced.code(), replaced.raw());
        assertEquals(before.path("spec").path("clusterIP"), replaced.body().path("spec").path("clusterIP"), "a left-out cluster IP is kept");
        assertEquals(before.path("spec").path("ports").path(0).path("nodePort"), replaced.body().path("spec").path("ports").path(0).path("nodePort"));

        Http.Reply changed = http.patch(SVCS + "/alloc-0", "application/merge-patch+json", "{\"spec\":{\"clusterIP\":\"10.96.0.77\"}}");
        assertEquals(422, changed.code(), changed.raw());
        assertTrue(changed.body().path("message").asText().contains("spec.clusterIPs[0]: Invalid value: \"10.96.0.77\": may not change once set"), changed.raw());

        Http.Reply toClusterIp = http.patch(SVCS + "/alloc-1", "application/merge-patch+json",
                "{\"spec\":{\"type\":\"ClusterIP\",\"ports\":[{\"port\":80,\"targetPort\":8080}]}}");
        assertEquals(200, toClusterIp.code(), toClusterIp.raw());
        assertTrue(toClusterIp.body().path("spec").path("ports").path(0).path("nodePort").isMissingNode(), toClusterIp.raw());

        Kubectl kubectl = new Kubectl(server.kubeconfig(), server.dir.resolve("kubectl-cache"));
        Kubectl.Result got = kubectl.run("get", "svc", "alloc-2");
        assertEquals(0, got.exit(), got.all());
        assertTrue(got.out().contains(http.get(SVCS + "/alloc-2").body().path("spec").path("clusterIP").asText()), got.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        a taken cluster IP        | "clusterIP":"10.96.1.1",            | {"port":80}                   | spec.clusterIPs: Invalid value: []string{"10.96.1.1"}: failed to allocate IP 10.96.1.1: provided IP is already allocated
        an IP outside the range   | "clusterIP":"10.200.0.1",           | {"port":80}                   | the provided IP (10.200.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12
        not an IP                 | "clusterIP":"ten",                  | {"port":80}                   | must be a valid IP address
        a taken node port         | "type":"NodePort",                  | {"port":80,"nodePort":31111}  | spec.ports[0].nodePort: Invalid value: 31111: provided port is already allocated
        a node port out of range  | "type":"NodePort",                  | {"port":80,"nodePort":8080}   | spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767
        a node port on ClusterIP  | "type":"ClusterIP",                 | {"port":80,"nodePort":31112}  | spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'
        """)
    void askedForValuesAreChecked(String what, String spec, String port, String message) throws Exception {
        Http.Reply first = http.post(SVCS, service("holder", "\"clusterIP\":\"10.96.1.1\",\"type\":\"NodePort\",", "{\"port\":80,\"nodePort\":31111}"));
        assertTrue(first.code() == 201 || first.code() == 409, first.raw());
        Http.Reply r = http.post(SVCS, service("refused", spec, port));
        assertEquals(422, r.code(), what + ": " + r.raw());
        assertTrue(r.body().path("message").asText().contains(message), r.raw());
        assertEquals(404, http.get(SVCS + "/refused").code(), "nothing was stored");
    }

    @Test
    void headlessAndAskedForValuesAreKept() throws Exception {
        Http.Reply headless = http.post(SVCS, service("headless", "\"clusterIP\":\"None\",", "{\"port\":80}"));
        assertEquals(201, headless.code(), headless.raw());
        assertEquals("None", headless.body().path("spec").path("clusterIP").asText());
        Http.Reply asked = http.post(SVCS, service("asked", "\"clusterIP\":\"10.100.0.9\",\"type\":\"NodePort\",", "{\"port\":80,\"nodePort\":32000}"));
        assertEquals(201, asked.code(), asked.raw());
        assertEquals("10.100.0.9", asked.body().path("spec").path("clusterIP").asText());
        assertEquals(32000, asked.body().path("spec").path("ports").path(0).path("nodePort").asInt());
        Http.Reply dry = http.post(SVCS + "?dryRun=All", service("dry", "", "{\"port\":80}"));
        assertEquals(201, dry.code(), dry.raw());
        assertNotEquals("", dry.body().path("spec").path("clusterIP").asText(""));
    }
}
