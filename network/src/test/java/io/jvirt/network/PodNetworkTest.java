package io.jvirt.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodNetworkTest {
    @ParameterizedTest(name = "id {0}, routes {1} → {2}")
    @CsvSource(delimiter = '|', value = {
        "00000000 |                               | 10.128.0.0/24",
        "00000001 |                               | 10.128.1.0/24",
        "00007fff |                               | 10.255.255.0/24",
        "00008000 |                               | 10.128.0.0/24",
        "00000001 | 10.128.1.0/24                 | 10.128.2.0/24",
        "00000001 | 10.128.0.0/16                 | 10.129.0.0/24",
        "00000001 | 192.0.2.0/24 10.128.1.128/25  | 10.128.2.0/24",
    })
    void aSubnetNoHostRouteOverlaps(String id, String routes, String expected) {
        List<Ipv4> taken = routes == null ? List.of() : java.util.Arrays.stream(routes.trim().split(" ")).map(Ipv4::parse).toList();
        assertEquals(expected, PodNetwork.freeSubnet(id, taken).toString());
    }

    @ParameterizedTest(name = "id {0} → {1}")
    @CsvSource({
        "00000000, fd10:128::/64",
        "00000001, fd10:128:0:1::/64",
        "12340000, fd10:128:1234::/64",
        "0a0b00c0, fd10:128:a0b:c0::/64",
        "ffffffff, fd10:128:ffff:ffff::/64",
    })
    void theIpv6SubnetIsTheInstancesOwnInTheTextIpPrints(String id, String expected) throws Exception {
        assertEquals(expected, PodNetwork.ipv6Subnet(id));
        String prefix = expected.substring(0, expected.indexOf('/'));
        assertEquals(java.net.InetAddress.getByName(prefix), java.net.InetAddress.getByName(
                String.format("fd10:0128:%s:%s:0:0:0:0", id.substring(0, 4), id.substring(4))), "the same address");
    }
}
