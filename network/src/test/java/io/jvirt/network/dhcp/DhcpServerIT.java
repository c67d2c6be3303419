package io.jvirt.network.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.network.Ipv4;
import io.jvirt.network.NetworkNamespace;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two DHCP servers in one pod namespace, as a guest with two bridge- or masquerade-bound interfaces has them: each
 * answers only what arrives on its own interface. A "pod" namespace holds both servers' devices ({@code s1}, {@code s2},
 * each with its server's address), each a veth to a "guest" namespace whose client socket speaks DHCP on the wire.
 * The barrier that shows a server stayed silent: the second interface's first reply must be the one to its own later
 * request, so an answer to the first interface's earlier request would have come before it.
 */
class DhcpServerIT {
    private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        for (NetworkNamespace ns : namespaces) {
            ns.delete();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the same MAC on both interfaces | 02:00:00:00:00:0a | 02:00:00:00:00:0a",
        "a MAC of each                   | 02:00:00:00:00:0a | 02:00:00:00:00:0b",
    })
    void eachServerAnswersOnlyOnItsOwnInterface(String name, String mac1, String mac2) throws Exception {
        NetworkNamespace pod = namespace("p");
        DatagramSocket guest1 = guest(pod, 1);
        DatagramSocket guest2 = guest(pod, 2);
        DhcpLease lease1 = new DhcpLease(mac1, Ipv4.address("10.9.1.2"), 24, 0, List.of(), 0, null, Ipv4.address("10.9.1.1"));
        DhcpLease lease2 = new DhcpLease(mac2, Ipv4.address("10.9.2.2"), 24, 0, List.of(), 0, null, Ipv4.address("10.9.2.1"));
        open.add(DhcpServer.start(pod, lease1));
        open.add(DhcpServer.start(pod, lease2));

        discover(guest1, mac1, 1);
        assertEquals("1 10.9.1.2", reply(guest1), "interface 1's request gets interface 1's lease");
        discover(guest1, mac2, 2); // interface 2's MAC on interface 1: with distinct MACs nobody's lease
        discover(guest2, mac2, 3);
        assertEquals("3 10.9.2.2", reply(guest2), "interface 2's first reply answers its own request, none of interface 1's");
        if (!mac1.equals(mac2)) {
            discover(guest1, mac1, 4);
            assertEquals("4 10.9.1.2", reply(guest1), "interface 2's MAC got no answer on interface 1");
        }
    }

    private NetworkNamespace namespace(String role) throws IOException {
        NetworkNamespace ns = new NetworkNamespace("jvt-dhcp" + role + id);
        ns.create();
        namespaces.add(ns);
        return ns;
    }

    /** Guest namespace {@code n}: {@code eth0} (10.9.n.50/24, default route) on veth {@code s<n>} (10.9.n.1/24) in {@code pod}; its client socket. */
    private DatagramSocket guest(NetworkNamespace pod, int n) throws IOException {
        NetworkNamespace guest = namespace("g" + n);
        pod.run("ip", "link", "add", "s" + n, "type", "veth", "peer", "name", "eth0", "netns", guest.name());
        pod.run("ip", "addr", "add", "10.9." + n + ".1/24", "dev", "s" + n);
        pod.run("ip", "link", "set", "s" + n, "up");
        guest.run("ip", "addr", "add", "10.9." + n + ".50/24", "dev", "eth0");
        guest.run("ip", "link", "set", "eth0", "up");
        guest.run("ip", "route", "add", "default", "dev", "eth0");
        DatagramSocket socket = guest.enter(() -> {
            DatagramSocket s = new DatagramSocket(null);
            s.setReuseAddress(true);
            s.setBroadcast(true);
            s.bind(new InetSocketAddress(68));
            s.setSoTimeout(10_000);
            return s;
        });
        open.add(socket);
        return socket;
    }

    private static void discover(DatagramSocket client, String mac, int xid) throws IOException {
        byte[] chaddr = new byte[16];
        System.arraycopy(HexFormat.ofDelimiter(":").parseHex(mac), 0, chaddr, 0, 6);
        ByteBuffer wire = new DhcpMessage(DhcpMessage.BOOTREQUEST, xid, 0x8000, 0, 0, 0, 0, chaddr,
                Map.of(DhcpMessage.OPT_MESSAGE_TYPE, new byte[] {DhcpMessage.DISCOVER})).encode();
        byte[] bytes = new byte[wire.remaining()];
        wire.get(bytes);
        client.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("255.255.255.255", 67)));
    }

    /** The next reply this client receives: {@code <xid> <offered address>}. */
    private static String reply(DatagramSocket client) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        client.receive(packet);
        DhcpMessage m = DhcpMessage.parse(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
        return m.xid() + " " + Ipv4.text(m.yiaddr());
    }
}
