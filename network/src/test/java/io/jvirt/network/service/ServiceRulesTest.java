package io.jvirt.network.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvirt.network.Ipv4;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceRulesTest {
    private static final Ipv4 CIDR = Ipv4.parse("10.96.0.0/12");

    @Test
    void oneTableWithDnatForClusterIpsAndNodePortsOverReadyBackends() {
        List<VirtualService> services = List.of(
                new VirtualService("default/web:http", "tcp", "10.96.4.2", 8080, 30080,
                        List.of(new VirtualService.Backend("10.128.0.5", 80), new VirtualService.Backend("10.128.0.6", 80))),
                new VirtualService("default/dns", "udp", "10.96.0.10", 53, 0, List.of(new VirtualService.Backend("10.128.0.7", 5353))),
                new VirtualService("default/empty", "tcp", "10.96.0.11", 80, 30081, List.of()),
                new VirtualService("default/\"; flush ruleset", "tcp", null, 22, 30022, List.of(new VirtualService.Backend("10.128.0.8", 22))));
        assertEquals("""
                table ip jvirt-svc-0a1b2c3d {}
                delete table ip jvirt-svc-0a1b2c3d
                table ip jvirt-svc-0a1b2c3d {
                  chain output {
                    type nat hook output priority -100; policy accept;
                    ip daddr 10.96.4.2 tcp dport 8080 dnat ip to numgen random mod 2 map { 0 : 10.128.0.5 . 80, 1 : 10.128.0.6 . 80 } comment "default/web:http"
                    fib daddr type local tcp dport 30080 dnat ip to numgen random mod 2 map { 0 : 10.128.0.5 . 80, 1 : 10.128.0.6 . 80 } comment "default/web:http"
                    ip daddr 10.96.0.10 udp dport 53 dnat ip to 10.128.0.7:5353 comment "default/dns"
                    fib daddr type local tcp dport 30022 dnat ip to 10.128.0.8:22 comment "default/flushruleset"
                  }
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    ip saddr 127.0.0.0/8 oifname "jvbr0a1b2c3d" masquerade
                  }
                  chain filter_output {
                    type filter hook output priority filter; policy accept;
                    ip daddr 10.96.0.0/12 reject
                  }
                }
                """, ServiceRules.ruleset(ServiceRules.tableName("0a1b2c3d"), "jvbr0a1b2c3d", CIDR, services));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        a cluster IP that is not one | tcp | 10.96.0.300 | 80 | 10.128.0.5 | 80
        a protocol nft would read    | sctp| 10.96.0.3   | 80 | 10.128.0.5 | 80
        port 0                       | tcp | 10.96.0.3   | 0  | 10.128.0.5 | 80
        a backend name, not address  | tcp | 10.96.0.3   | 80 | web        | 80
        a backend port too large     | tcp | 10.96.0.3   | 80 | 10.128.0.5 | 70000
        """)
    void refusesValuesThatAreNotAddressesOrPorts(String what, String protocol, String ip, int port, String backend, int backendPort) {
        assertThrows(IllegalArgumentException.class,
                () -> new VirtualService("x", protocol, ip, port, 0, List.of(new VirtualService.Backend(backend, backendPort))), what);
    }
}
