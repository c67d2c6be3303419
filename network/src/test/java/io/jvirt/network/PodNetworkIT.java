package io.jvirt.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.network.cni.CniException;
import io.jvirt.network.cni.CniPlugin;
import io.jvirt.network.cni.CniResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real CNI plugins (Debian's containernetworking-plugins in /usr/lib/cni) on namespaces the test makes:
 * addresses, pod-to-pod and host-to-pod traffic, a host port, CHECK, DEL, and the sweep of what an agent killed
 * with -9 left (veths, leases, portmap rules). Only the test's namespaces and the host's own bridge are targeted.
 */
class PodNetworkIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    private final String instance = TestNamespaces.randomHex(4);
    private final TestNamespaces namespaces = new TestNamespaces();
    private PodNetwork network;

    @BeforeEach
    void open() throws IOException {
        network = PodNetwork.open(tmp.resolve("cni"), instance, null, new CniPlugin(List.of(CniPlugin.DEBIAN)));
    }

    @AfterEach
    void cleanUp() throws IOException {
        network.sweep(Set.of(), id -> null);
        namespaces.close();
        network.removeBridge();
    }

    @Test
    void podsGetAddressesOnTheBridgeAndReachEachOtherAndTheHost() throws Exception {
        NetworkNamespace a = namespaces.create();
        NetworkNamespace b = namespaces.create();
        CniResult ra = network.add("pod-a", a, List.of());
        CniResult rb = network.add("pod-b", b, List.of());
        String ipA = ra.ipv4On("eth0").orElseThrow().ip();
        String ipB = rb.ipv4On("eth0").orElseThrow().ip();
        assertNotEquals(ipA, ipB);
        assertEquals(network.subnet().network(), Ipv4.address(ipA) & Ipv4.mask(24), ipA + " in " + network.subnet());
        assertEquals(network.gateway(), ra.ipv4On("eth0").orElseThrow().gateway());
        assertTrue(a.run("ip", "-4", "addr", "show", "dev", "eth0").contains(ipA + "/24"));
        assertTrue(a.run("ip", "route").contains("default via " + network.gateway()));

        namespaces.httpServer(b, tmp, 8080, "pod b");
        TestNamespaces.await("pod b's server", Duration.ofSeconds(10), () -> get("http://" + ipB + ":8080/").equals("pod b"));
        assertTrue(a.run("curl", "-s", "--max-time", "5", "http://" + ipB + ":8080/").contains("pod b"), "pod a reaches pod b");
        assertTrue(b.run("busybox", "ping", "-c", "1", "-W", "5", network.gateway()).contains("1 packets received"), "pod b reaches the host");
        assertEquals(Set.of("pod-a", "pod-b"), network.leaseOwners());

        network.check("pod-a", a);
        a.run("ip", "link", "del", "eth0");
        assertThrows(CniException.class, () -> network.check("pod-a", a), "CHECK sees eth0 gone");
    }

    @Test
    void aHostPortReachesThePodAndGoesWithDel() throws Exception {
        NetworkNamespace ns = namespaces.create();
        int hostPort = 20000 + (int) (Long.parseLong(instance, 16) % 20000);
        network.add("pod-p", ns, List.of(new PodNetwork.PortMapping(hostPort, 80, "tcp")));
        namespaces.httpServer(ns, tmp, 80, "mapped");
        String url = "http://" + network.gateway() + ":" + hostPort + "/";
        TestNamespaces.await("the host port", Duration.ofSeconds(10), () -> get(url).equals("mapped"));
        assertEquals(Set.of("pod-p"), network.portmapOwners());

        network.delete("pod-p", ns);
        assertEquals(Set.of(), network.portmapOwners());
        assertEquals(Set.of(), network.leaseOwners());
        assertFalse(ns.run("ip", "link").contains("eth0"), "eth0 is gone");
        assertEquals("", get(url), "the host port no longer answers");
        network.delete("pod-p", ns); // idempotent
    }

    @Test
    void theSweepRemovesWhatAKilledAgentLeft() throws Exception {
        NetworkNamespace kept = namespaces.create();
        NetworkNamespace orphan = namespaces.create();
        NetworkNamespace gone = namespaces.create();
        network.add("kept", kept, List.of());
        network.add("orphan", orphan, List.of(new PodNetwork.PortMapping(30000 + (int) (Long.parseLong(instance, 16) % 20000), 80, "tcp")));
        network.add("gone", gone, List.of());
        gone.delete(); // the agent's own namespace sweep ran first
        TestNamespaces.await("the deleted namespace's veth to go", Duration.ofSeconds(10), () -> bridgePorts().size() == 2);

        // a new agent on the same data directory (the old one was killed: nothing was deleted)
        PodNetwork restarted = PodNetwork.open(tmp.resolve("cni"), instance, null, new CniPlugin(List.of(CniPlugin.DEBIAN)));
        assertEquals(network.subnet(), restarted.subnet(), "a restart keeps the subnet");
        List<String> swept = restarted.sweep(Set.of("kept"), id -> id.equals("orphan") ? orphan : null);
        assertEquals(List.of("gone", "orphan"), swept);
        assertEquals(Set.of("kept"), restarted.leaseOwners());
        assertEquals(Set.of(), restarted.portmapOwners());
        TestNamespaces.await("only the kept pod's veth on the bridge", Duration.ofSeconds(10), () -> bridgePorts().size() == 1);
        assertFalse(orphan.run("ip", "link").contains("eth0"));
        try (Stream<Path> results = Files.list(tmp.resolve("cni").resolve("results"))) {
            assertEquals(List.of("kept.json"), results.map(p -> p.getFileName().toString()).toList());
        }
    }

    /**
     * Dual-stack: each pod gets an IPv4 and then an IPv6 address of the instance's /64, a default IPv6 route via the
     * bridge's ::1; the host and another pod reach it over IPv6; a host port has its ip6tables rule too; a killed agent's
     * pods lose their IPv6 leases and rules to the next agent's sweep, the live pod keeps both.
     */
    @Test
    void dualStackPodsGetBothFamiliesAndTheSweepTakesBoth() throws Exception {
        network = PodNetwork.open(tmp.resolve("cni"), instance, null, true, new CniPlugin(List.of(CniPlugin.DEBIAN)));
        String subnet6 = PodNetwork.ipv6Subnet(instance);
        assertEquals(java.util.Optional.of(subnet6), network.ipv6());
        String gateway6 = network.ipv6Gateway().orElseThrow();
        NetworkNamespace a = namespaces.create();
        NetworkNamespace b = namespaces.create();
        int hostPort = 20000 + (int) (Long.parseLong(instance, 16) % 20000);
        CniResult ra = network.add("pod-a", a, List.of(new PodNetwork.PortMapping(hostPort, 80, "tcp")));
        CniResult rb = network.add("pod-b", b, List.of());
        for (CniResult r : List.of(ra, rb)) {
            assertEquals(List.of(true, false), r.ips().stream().map(CniResult.IpConfig::ipv4).toList(), "IPv4 first, then IPv6: " + r.ips());
            assertTrue(r.ips().get(1).address().startsWith(subnet6.replace("::/64", ":")) && r.ips().get(1).prefixLength() == 64, r.ips().toString());
            assertEquals(gateway6, r.ips().get(1).gateway());
        }
        String ip6A = ra.ips().get(1).ip();
        String ip6B = rb.ips().get(1).ip();
        assertNotEquals(ip6A, ip6B);
        assertTrue(a.run("ip", "-6", "addr", "show", "dev", "eth0").contains(ip6A + "/64"));
        assertTrue(a.run("ip", "-6", "route").contains("default via " + gateway6), a.run("ip", "-6", "route"));

        namespaces.httpServer(b, tmp, 8080, "pod b");
        TestNamespaces.await("pod b's server over IPv6", Duration.ofSeconds(10), () -> get("http://[" + ip6B + "]:8080/").equals("pod b"));
        assertTrue(a.run("curl", "-s", "-6", "--max-time", "5", "http://[" + ip6B + "]:8080/").contains("pod b"), "pod a reaches pod b over IPv6");
        namespaces.httpServer(a, tmp, 80, "mapped");
        TestNamespaces.await("the host port over IPv6", Duration.ofSeconds(10), () -> get("http://[" + gateway6 + "]:" + hostPort + "/").equals("mapped"));
        String rules6 = Commands.run(List.of("ip6tables-save", "-t", "nat"));
        assertTrue(rules6.contains(PodNetwork.networkName(instance)) && rules6.contains("pod-a") && rules6.contains(ip6A), "pod a's IPv6 portmap rule: " + rules6);

        // a new agent on the same data directory after a kill -9: pod a is gone, pod b lives on
        PodNetwork restarted = PodNetwork.open(tmp.resolve("cni"), instance, null, true, new CniPlugin(List.of(CniPlugin.DEBIAN)));
        assertEquals(List.of("pod-a"), restarted.sweep(Set.of("pod-b"), id -> id.equals("pod-a") ? a : null));
        assertEquals(Set.of(), restarted.portmapOwners());
        assertFalse(Commands.run(List.of("ip6tables-save", "-t", "nat")).contains(PodNetwork.networkName(instance)), "no IPv6 rule left");
        assertEquals(List.of(rb.ips().get(0).ip(), ip6B), ipamLeases(), "only pod b's two leases left");
        assertFalse(a.run("ip", "link").contains("eth0"));
        assertEquals("pod b", get("http://[" + ip6B + "]:8080/"), "the live pod keeps its IPv6 address");
    }

    /** The node's pod network's address leases (host-local's files), IPv4 first. */
    private List<String> ipamLeases() throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve("cni/ipam").resolve(PodNetwork.networkName(instance)))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f.:]+"))
                    .sorted(java.util.Comparator.comparing((String n) -> n.contains(":"))).toList();
        }
    }

    /**
     * A NetworkAttachmentDefinition's single CNI configuration as a secondary network ({@code net1}, beside the pod
     * network's {@code eth0}) or as the one replacing the pod network ({@code eth0} from it, the node's pod network not run
     * for that pod): an address of its own subnet, its result kept; a {@code type} that is a path is never run; DEL and a
     * restarted agent's sweep take it down from the kept configuration.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"net1", "eth0"})
    void anAttachmentGoesWithDelAndTheSweep(String ifname) throws Exception {
        boolean replacesPodNetwork = ifname.equals(PodNetwork.POD_INTERFACE);
        String secondaryBridge = "jvs" + instance;
        Path ipam = tmp.resolve("blue-ipam");
        com.fasterxml.jackson.databind.JsonNode blue = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"cniVersion":"1.0.0","name":"blue","type":"bridge","bridge":"%s",
                 "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.251.9.0/24"}]]}}""".formatted(secondaryBridge, ipam));
        try {
            NetworkNamespace deleted = namespaces.create();
            NetworkNamespace orphan = namespaces.create();
            for (NetworkNamespace ns : List.of(deleted, orphan)) {
                CniResult r;
                if (replacesPodNetwork) {
                    r = network.addDefault(ns.name(), ns, blue);
                    assertEquals(r.ips(), network.result(ns.name()).orElseThrow().ips(), "the pod's addresses are the replacement's");
                } else {
                    network.add(ns.name(), ns, List.of());
                    r = network.addSecondary(ns.name(), ns, ifname, blue);
                }
                assertTrue(r.ipv4On(ifname).orElseThrow().ip().startsWith("10.251.9."), r.json().toString());
                assertTrue(ns.run("ip", "-4", "addr", "show", "dev", ifname).contains(r.ipv4On(ifname).orElseThrow().address()));
                assertEquals(r.ips(), network.secondaryResult(ns.name(), ifname).orElseThrow().ips());
            }
            assertEquals(2, leases(ipam).size());
            assertEquals(replacesPodNetwork ? Set.of() : Set.of(deleted.name(), orphan.name()), network.leaseOwners(),
                    "the node's pod network holds an address only for pods it was run for");
            com.fasterxml.jackson.databind.node.ObjectNode path = ((com.fasterxml.jackson.databind.node.ObjectNode) blue.deepCopy()).put("type", "/usr/lib/cni/bridge");
            assertThrows(CniException.class, () -> network.addSecondary(deleted.name(), deleted, "net2", path), "a type is a file name, never a path");
            assertThrows(CniException.class, () -> network.addDefault("never-added", deleted, path), "a type is a file name, never a path");

            network.delete(deleted.name(), deleted);
            assertFalse(deleted.run("ip", "link").contains(ifname), ifname + " is gone with DEL");
            assertEquals(1, leases(ipam).size(), "its address released");
            // an agent killed with -9: the next one sweeps the orphan's attachment from the kept configuration
            PodNetwork restarted = PodNetwork.open(tmp.resolve("cni"), instance, null, new CniPlugin(List.of(CniPlugin.DEBIAN)));
            assertEquals(List.of(orphan.name()), restarted.sweep(Set.of(), id -> orphan));
            assertEquals(List.of(), leases(ipam));
            assertFalse(orphan.run("ip", "link").contains(ifname));
            assertFalse(Files.exists(tmp.resolve("cni/secondary")) && Files.list(tmp.resolve("cni/secondary")).findAny().isPresent(),
                    "nothing kept of the attachments");
        } finally {
            new ProcessBuilder("ip", "link", "del", secondaryBridge).start().waitFor();
        }
    }

    private static List<String> leases(Path ipam) throws IOException {
        Path dir = ipam.resolve("blue");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9.]+")).toList();
        }
    }

    private List<String> bridgePorts() {
        try (Stream<Path> ports = Files.list(Path.of("/sys/class/net", network.bridge(), "brif"))) {
            return ports.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
