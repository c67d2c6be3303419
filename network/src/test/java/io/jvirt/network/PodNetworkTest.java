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
}
