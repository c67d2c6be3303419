package io.jvirt.handler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jvirt.api.network.ServiceNetwork;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.network.Ipv4;
import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.PodNetwork;
import io.jvirt.network.cni.CniPlugin;
import io.jvirt.network.service.ServiceTable;
import io.jvirt.network.service.VirtualService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service proxy for real: the embedded API server allocates the cluster IP and node port, the proxy's informers
 * see the Service and its EndpointSlice (written here as the endpoints controller writes them), and the host's nftables
 * table it owns sends the host's connections to two pods made by the network driver with the real CNI plugins (busybox
 * httpd in each). Checked from the host: the cluster IP, the node port on 127.0.0.1 and on the bridge's address,
 * load balancing over both pods, a not-ready endpoint left out, a deleted Service gone (its cluster IP rejected
 * locally), the sweep of a killed agent's table and its removal on close. Only the test's namespaces, the host's own
 * addresses and the (local, never routed) cluster IP are targeted.
 */
class ServiceProxyIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static EmbeddedApi api;
    private static Path dir;
    private static String instance;
    private static PodNetwork network;
    private static final List<NetworkNamespace> pods = new ArrayList<>();
    private static final List<String> podIps = new ArrayList<>();
    private static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        api = EmbeddedApi.start();
        dir = Files.createTempDirectory("jvirt-svc-it");
        instance = hex(4);
        network = PodNetwork.open(dir.resolve("cni"), instance, null, new CniPlugin(List.of(CniPlugin.DEBIAN)));
        for (int i = 0; i < 2; i++) {
            NetworkNamespace ns = new NetworkNamespace("jvt-" + hex(4));
            ns.create();
            pods.add(ns);
            String ip = network.add("svc-pod-" + i, ns, List.of()).ipv4On("eth0").orElseThrow().ip();
            podIps.add(ip);
            Path www = Files.createDirectories(dir.resolve("www-" + i));
            Files.writeString(www.resolve("index.html"), "pod " + i);
            processes.add(new ProcessBuilder("ip", "netns", "exec", ns.name(), "busybox", "httpd", "-f", "-p", ip + ":80", "-h", www.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("httpd-" + i + ".log").toFile()).start());
        }
        for (String ip : podIps) await("httpd on " + ip, () -> get("http://" + ip + "/").startsWith("pod "));
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Process p : processes) p.destroyForcibly().waitFor();
        if (network != null) {
            network.sweep(Set.of(), id -> null);
            network.removeBridge();
        }
        for (NetworkNamespace ns : pods) ns.delete();
        if (table().exists()) table().remove();
        if (api != null) api.close();
    }

    private static ServiceTable table() {
        return new ServiceTable(instance, network.bridge(), Ipv4.parse(ServiceNetwork.CLUSTER_IP_RANGE));
    }

    @Test
    void clusterIpAndNodePortReachTheReadyPodsFromTheHost() throws Exception {
        // what a killed agent left: a table of this instance with a rule for a port nothing serves now
        table().apply(List.of(new VirtualService("stale", "tcp", "10.96.0.3", 9, 0, List.of(new VirtualService.Backend(podIps.get(0), 80)))));
        ServiceProxy proxy = new ServiceProxy(api.nodeAgent, table());
        try {
            proxy.start();
            Service svc = api.client.services().inNamespace("default").resource(Serialization.unmarshal("""
                    {"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
                     "spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"port":8080,"targetPort":80}]}}""", Service.class)).create();
            String clusterIp = svc.getSpec().getClusterIP();
            int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
            api.client.discovery().v1().endpointSlices().inNamespace("default").resource(slice(true)).create();

            String byClusterIp = "http://" + clusterIp + ":8080/";
            await("the cluster IP", () -> get(byClusterIp).startsWith("pod "));
            assertFalse(table().list().contains("dport 9 "), "the stale rule was swept: " + table().list());
            assertEquals(Set.of("pod 0", "pod 1"), answers(byClusterIp, 30), "connections are spread over both pods");
            assertEquals(Set.of("pod 0", "pod 1"), answers("http://127.0.0.1:" + nodePort + "/", 30), "the node port on 127.0.0.1");
            assertEquals(Set.of("pod 0", "pod 1"), answers("http://" + network.gateway() + ":" + nodePort + "/", 30), "the node port on the host's bridge address");

            EndpointSlice notReady = slice(false);
            notReady.setMetadata(api.client.discovery().v1().endpointSlices().inNamespace("default").withName("web-abc").get().getMetadata());
            api.client.discovery().v1().endpointSlices().inNamespace("default").resource(notReady).update();
            await("pod 1 left out once not ready", () -> answers(byClusterIp, 10).equals(Set.of("pod 0")));
            assertEquals(Set.of("pod 0"), answers("http://127.0.0.1:" + nodePort + "/", 20));

            api.client.services().inNamespace("default").withName("web").delete();
            await("the deleted Service's rules gone", () -> !table().list().contains(clusterIp));
            assertEquals("", get(byClusterIp), "a cluster IP without a Service is refused here");
            assertTrue(table().list().contains("ip daddr 10.96.0.0/12 reject"), table().list());
        } finally {
            proxy.close();
        }
        assertFalse(table().exists(), "close removes the table");
    }

    private static EndpointSlice slice(boolean secondReady) {
        return Serialization.unmarshal("""
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-abc","labels":{"kubernetes.io/service-name":"web"}},
                 "addressType":"IPv4","ports":[{"port":80,"protocol":"TCP"}],
                 "endpoints":[{"addresses":["%s"],"conditions":{"ready":true}},{"addresses":["%s"],"conditions":{"ready":%s}}]}"""
                .formatted(podIps.get(0), podIps.get(1), secondReady), EndpointSlice.class);
    }

    private static Set<String> answers(String url, int requests) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests; i++) seen.add(get(url));
        return seen;
    }

    private static String get(String url) {
        try {
            return HTTP.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        Instant end = Instant.now().plus(Duration.ofSeconds(30));
        BooleanSupplier test = () -> {
            try {
                return check.ok();
            } catch (Exception e) {
                return false;
            }
        };
        while (!test.getAsBoolean()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
