package io.jvirt.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.jvirt.network.binding.Binding;
import io.jvirt.network.binding.BridgeBinding;
import io.jvirt.network.binding.GuestInterface;
import io.jvirt.network.binding.GuestPort;
import io.jvirt.network.binding.MasqueradeBinding;
import io.jvirt.network.cni.CniPlugin;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.dhcp.DhcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bindings with a real DHCP client: a pod namespace set up by the real CNI plugins, a "guest" namespace whose
 * {@code eth0} is the other end of the pod's guest-facing device (a veth standing in for QEMU's tap), busybox
 * {@code udhcpc} there against the agent's {@link DhcpServer}, then traffic from the host as a VM's users send it.
 */
class GuestBindingIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String MAC = "52:54:00:12:34:56";

    @TempDir
    Path tmp;

    private final TestNamespaces namespaces = new TestNamespaces();
    private PodNetwork network;
    private NetworkNamespace pod;
    private NetworkNamespace guest;
    private CniResult podResult;
    private DhcpServer dhcp;

    @BeforeEach
    void podAndGuest() throws IOException {
        network = PodNetwork.open(tmp.resolve("cni"), TestNamespaces.randomHex(4), null, new CniPlugin(List.of(CniPlugin.DEBIAN)));
        pod = namespaces.create();
        guest = namespaces.create();
        podResult = network.add("pod", pod, List.of());
        pod.run("ip", "link", "add", "tap0", "type", "veth", "peer", "name", "eth0", "netns", guest.name());
        guest.run("ip", "link", "set", "eth0", "address", MAC);
        guest.run("ip", "link", "set", "eth0", "up");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (dhcp != null) {
            dhcp.close();
        }
        network.delete("pod", pod);
        namespaces.close();
        network.removeBridge();
    }

    @Test
    void masqueradeGuestGetsTheInnerAddressAndOnlyDeclaredPortsReachIt() throws Exception {
        Binding binding = new MasqueradeBinding(List.of(new GuestPort(80, "TCP")));
        dhcp = DhcpServer.start(pod, binding.plug(pod, podResult, new GuestInterface("tap0", MAC, "vmi-masq", List.of("10.0.2.3", "192.0.2.53"))));

        Map<String, String> lease = udhcpc();
        assertEquals("10.0.2.2", lease.get("ip"));
        assertEquals("255.255.255.0", lease.get("subnet"));
        assertEquals("10.0.2.1", lease.get("router"));
        assertEquals("10.0.2.3 192.0.2.53", lease.get("dns").strip());
        assertEquals("vmi-masq", lease.get("hostname"));
        assertEquals(Integer.toString(Binding.mtu(pod, "eth0")), lease.get("mtu"));
        assertEquals("10.0.2.1", lease.get("serverid"));

        String podIp = podResult.ipv4On("eth0").orElseThrow().ip();
        namespaces.httpServer(guest, tmp, 80, "vmi-masq");
        namespaces.httpServer(guest, tmp, 81, "not declared");
        TestNamespaces.await("the guest's port 80 through the pod address", Duration.ofSeconds(10),
                () -> get("http://" + podIp + ":80/").equals("vmi-masq"));
        assertEquals("not declared", guest.run("curl", "-s", "--max-time", "5", "http://127.0.0.1:81/"), "the guest serves 81");
        assertThrows(IOException.class, () -> HTTP.send(HttpRequest.newBuilder(URI.create("http://" + podIp + ":81/"))
                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()), "an undeclared port does not reach the guest");

        // the guest's own connections leave as the pod's address (to the host, never beyond it)
        assertEquals(java.net.InetAddress.getByName(podIp), guestAsSeenByHost(network.gateway()), "the host sees the guest as the pod");
    }

    /**
     * A dual-stack pod: the guest, configured as KubeVirt's masquerade example configures it (fd10:0:2::2/120, default
     * route via fd10:0:2::1), answers on the pod's IPv6 address for the declared port only, and its own connections
     * reach the host as the pod's IPv6 address; IPv4 works beside it.
     */
    @Test
    void masqueradeOnADualStackPodCarriesIpv6ToTheDeclaredPortsOnly() throws Exception {
        network.delete("pod", pod);
        network = PodNetwork.open(tmp.resolve("cni"), network.bridge().substring("jvbr".length()), null, true, new CniPlugin(List.of(CniPlugin.DEBIAN)));
        podResult = network.add("pod", pod, List.of());
        String podIp6 = podResult.ipv6On("eth0").orElseThrow().ip();
        Binding binding = new MasqueradeBinding(List.of(new GuestPort(80, "TCP")));
        dhcp = DhcpServer.start(pod, binding.plug(pod, podResult, new GuestInterface("tap0", MAC, "vmi-masq6", List.of())));
        assertEquals("10.0.2.2", udhcpc().get("ip"));
        guest.run("ip", "addr", "add", MasqueradeBinding.GUEST6 + "/120", "dev", "eth0", "nodad");
        guest.run("ip", "-6", "route", "add", "default", "via", MasqueradeBinding.GATEWAY6);

        namespaces.httpServer(guest, tmp, 80, "vmi-masq6");
        namespaces.httpServer(guest, tmp, 81, "not declared");
        TestNamespaces.await("the guest's port 80 through the pod's IPv6 address", Duration.ofSeconds(10),
                () -> get("http://[" + podIp6 + "]:80/").equals("vmi-masq6"));
        assertEquals("vmi-masq6", get("http://" + podResult.ipv4On("eth0").orElseThrow().ip() + ":80/"), "IPv4 beside it");
        assertEquals("not declared", guest.run("curl", "-s", "-6", "--max-time", "5", "http://[" + MasqueradeBinding.GUEST6 + "]:81/"), "the guest serves 81");
        assertThrows(IOException.class, () -> HTTP.send(HttpRequest.newBuilder(URI.create("http://[" + podIp6 + "]:81/"))
                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()), "an undeclared port does not reach the guest");

        assertEquals(java.net.InetAddress.getByName(podIp6), guestAsSeenByHost(network.ipv6Gateway().orElseThrow()),
                "the host sees the guest as the pod");
    }

    @Test
    void bridgeGuestGetsThePodAddressAndAnswersOnIt() throws Exception {
        String podIp = podResult.ipv4On("eth0").orElseThrow().ip();
        dhcp = DhcpServer.start(pod, new BridgeBinding().plug(pod, podResult, new GuestInterface("tap0", MAC, "vmi-bridge", List.of("10.96.0.10"))));

        Map<String, String> lease = udhcpc();
        assertEquals(podIp, lease.get("ip"));
        assertEquals("255.255.255.0", lease.get("subnet"));
        assertEquals(network.gateway(), lease.get("router"));
        assertEquals("10.96.0.10", lease.get("dns").strip());
        assertEquals("vmi-bridge", lease.get("hostname"));
        assertTrue(pod.run("ip", "-4", "addr", "show", "dev", "eth0").isBlank(), "eth0 gave its address to the guest");

        namespaces.httpServer(guest, tmp, 80, "vmi-bridge");
        TestNamespaces.await("the guest on the pod address", Duration.ofSeconds(10), () -> get("http://" + podIp + ":80/").equals("vmi-bridge"));
        NetworkNamespace other = namespaces.create();
        network.add("other", other, List.of());
        try {
            assertEquals("vmi-bridge", other.run("curl", "-s", "--max-time", "5", "http://" + podIp + ":80/"), "another pod reaches the guest");
        } finally {
            network.delete("other", other);
        }
    }

    /** The source address an HTTP server of the host on {@code hostAddress} (the bridge's) sees the guest's curl come from. */
    private java.net.InetAddress guestAsSeenByHost(String hostAddress) throws IOException {
        AtomicReference<java.net.InetAddress> seen = new AtomicReference<>();
        java.net.InetAddress bind = java.net.InetAddress.getByName(hostAddress);
        HttpServer host = HttpServer.create(new InetSocketAddress(bind, 0), 0);
        host.createContext("/", exchange -> {
            seen.set(exchange.getRemoteAddress().getAddress());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        host.start();
        try {
            String literal = bind instanceof java.net.Inet6Address ? "[" + hostAddress + "]" : hostAddress;
            guest.run("curl", "-s", "--max-time", "5", "http://" + literal + ":" + host.getAddress().getPort() + "/");
        } finally {
            host.stop(0);
        }
        return seen.get();
    }

    /** Runs busybox's DHCP client in the guest namespace until it is bound; returns what its script was told. */
    private Map<String, String> udhcpc() throws IOException {
        Path script = tmp.resolve("udhcpc.sh");
        Path env = tmp.resolve("bound.env");
        Files.writeString(script, """
                #!/bin/sh
                [ "$1" = bound ] || exit 0
                env > %s.tmp && mv %s.tmp %s
                ip addr add "$ip/$mask" dev "$interface"
                [ -n "$router" ] && ip route add default via "$router"
                exit 0
                """.formatted(env, env, env));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        guest.run("busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T", "2", "-i", "eth0", "-O", "mtu", "-s", script.toString());
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(env, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertTrue(values.keySet().containsAll(Set.of("ip", "subnet")), "udhcpc bound: " + values);
        return values;
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
