package io.jvirt.handler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jvirt.api.network.ServiceNetwork;
import io.jvirt.handler.CniPods;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.network.Ipv4;
import io.jvirt.network.service.ServiceTable;
import io.jvirt.network.service.VirtualService;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
    private static EmbeddedApi api;
    private static CniPods pods;
    private static final List<String> podIps = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        api = EmbeddedApi.start();
        pods = new CniPods(Files.createTempDirectory("jvirt-svc-it"));
        for (int i = 0; i < 2; i++) {
            CniPods.Pod pod = pods.add("svc-pod-" + i);
            podIps.add(pod.ip());
            pods.httpServer(pod, 80, "pod " + i);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (pods != null) {
            if (table().exists()) table().remove();
            pods.close();
        }
        if (api != null) api.close();
    }

    private static ServiceTable table() {
        return new ServiceTable(pods.instance, pods.network.bridge(), Ipv4.parse(ServiceNetwork.CLUSTER_IP_RANGE));
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
            CniPods.await("the cluster IP", () -> CniPods.get(byClusterIp).startsWith("pod "));
            assertFalse(table().list().contains("dport 9 "), "the stale rule was swept: " + table().list());
            assertEquals(Set.of("pod 0", "pod 1"), answers(byClusterIp, 30), "connections are spread over both pods");
            assertEquals(Set.of("pod 0", "pod 1"), answers("http://127.0.0.1:" + nodePort + "/", 30), "the node port on 127.0.0.1");
            assertEquals(Set.of("pod 0", "pod 1"), answers("http://" + pods.network.gateway() + ":" + nodePort + "/", 30), "the node port on the host's bridge address");

            EndpointSlice notReady = slice(false);
            notReady.setMetadata(api.client.discovery().v1().endpointSlices().inNamespace("default").withName("web-abc").get().getMetadata());
            api.client.discovery().v1().endpointSlices().inNamespace("default").resource(notReady).update();
            CniPods.await("pod 1 left out once not ready", () -> answers(byClusterIp, 10).equals(Set.of("pod 0")));
            assertEquals(Set.of("pod 0"), answers("http://127.0.0.1:" + nodePort + "/", 20));

            api.client.services().inNamespace("default").withName("web").delete();
            CniPods.await("the deleted Service's rules gone", () -> !table().list().contains(clusterIp));
            assertEquals("", CniPods.get(byClusterIp), "a cluster IP without a Service is refused here");
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
        for (int i = 0; i < requests; i++) seen.add(CniPods.get(url));
        return seen;
    }
}
