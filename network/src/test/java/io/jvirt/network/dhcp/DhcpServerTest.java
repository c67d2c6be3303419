package io.jvirt.network.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.network.Ipv4;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DhcpServerTest {
    private static final DhcpLease LEASE = new DhcpLease("52:54:00:aa:bb:cc", Ipv4.address("10.0.2.2"), 24, Ipv4.address("10.0.2.1"),
            List.of(Ipv4.address("10.0.2.3")), 1400, "vm-a", Ipv4.address("10.0.2.1"));

    /** A client's message as it goes on the wire (encoded, then parsed as the server reads it). */
    private static DhcpMessage request(String mac, int type, String requested, String serverId, String ciaddr) {
        byte[] chaddr = new byte[16];
        String[] parts = mac.split(":");
        for (int i = 0; i < 6; i++) {
            chaddr[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        Map<Integer, byte[]> o = new HashMap<>();
        o.put(DhcpMessage.OPT_MESSAGE_TYPE, new byte[] {(byte) type});
        if (!requested.isEmpty()) {
            o.put(DhcpMessage.OPT_REQUESTED_IP, ByteBuffer.allocate(4).putInt(Ipv4.address(requested)).array());
        }
        if (!serverId.isEmpty()) {
            o.put(DhcpMessage.OPT_SERVER_ID, ByteBuffer.allocate(4).putInt(Ipv4.address(serverId)).array());
        }
        int ci = ciaddr.isEmpty() ? 0 : Ipv4.address(ciaddr);
        return DhcpMessage.parse(new DhcpMessage(DhcpMessage.BOOTREQUEST, 0x1234, 0, ci, 0, 0, 0, chaddr, o).encode());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "discover → offer                 | 52:54:00:aa:bb:cc | 1 |          |          |          | 2 | 10.0.2.2",
        "discover of another MAC → none   | 52:54:00:aa:bb:cd | 1 |          |          |          | - | -",
        "request of the lease → ack       | 52:54:00:aa:bb:cc | 3 | 10.0.2.2 | 10.0.2.1 |          | 5 | 10.0.2.2",
        "request of another address → nak | 52:54:00:aa:bb:cc | 3 | 10.0.2.9 | 10.0.2.1 |          | 6 | 0.0.0.0",
        "request to another server → none | 52:54:00:aa:bb:cc | 3 | 10.0.2.2 | 10.0.2.7 |          | - | -",
        "renewal (ciaddr) → ack           | 52:54:00:aa:bb:cc | 3 |          |          | 10.0.2.2 | 5 | 10.0.2.2",
        "inform → ack without an address  | 52:54:00:aa:bb:cc | 8 |          |          | 10.0.2.2 | 5 | 0.0.0.0",
        "release → none                   | 52:54:00:aa:bb:cc | 7 |          |          | 10.0.2.2 | - | -",
    })
    void answers(String name, String mac, int type, String requested, String serverId, String ciaddr, Integer replyType, String yiaddr) {
        Optional<DhcpMessage> reply = DhcpServer.answer(LEASE, request(mac, type, nz(requested), nz(serverId), nz(ciaddr)));
        if (replyType == null) {
            assertEquals(Optional.empty(), reply);
            return;
        }
        DhcpMessage r = DhcpMessage.parse(reply.orElseThrow().encode());
        assertEquals(replyType, r.type());
        assertEquals(DhcpMessage.BOOTREPLY, r.op());
        assertEquals(0x1234, r.xid());
        assertEquals(Ipv4.address(yiaddr), r.yiaddr());
        assertEquals(mac, r.clientMac());
        assertEquals(Ipv4.address("10.0.2.1"), r.address(DhcpMessage.OPT_SERVER_ID));
    }

    @ParameterizedTest(name = "option {0}")
    @CsvSource({"1, ffffff00", "3, 0a000201", "6, 0a000203", "12, 766d2d61", "26, 0578", "28, 0a0002ff", "51, ffffffff"})
    void anOfferCarriesTheLeaseOptions(int option, String hex) {
        DhcpMessage offer = DhcpMessage.parse(DhcpServer.answer(LEASE, request(LEASE.mac(), DhcpMessage.DISCOVER, "", "", "")).orElseThrow().encode());
        assertArrayEquals(java.util.HexFormat.of().parseHex(hex), offer.options().get(option));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
