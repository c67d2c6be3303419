package io.jvirt.network.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.Arguments;
import java.util.stream.Stream;

class MasqueradeBindingTest {
    static Stream<Arguments> rulesets() {
        return Stream.of(
                Arguments.of(List.of(), "    iifname \"eth0\" meta l4proto { tcp, udp } dnat to 10.0.2.2\n"),
                Arguments.of(List.of(new GuestPort(80, null), new GuestPort(443, "TCP"), new GuestPort(53, "UDP")),
                        "    iifname \"eth0\" tcp dport { 80, 443 } dnat to 10.0.2.2\n    iifname \"eth0\" udp dport { 53 } dnat to 10.0.2.2\n"));
    }

    @ParameterizedTest
    @MethodSource("rulesets")
    void onlyTheDeclaredPortsAreForwarded(List<GuestPort> ports, String dnat) {
        assertEquals("""
                table ip jvirt {
                  chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                %s  }
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "eth0" ip saddr 10.0.2.2 masquerade
                    oifname "tap0" ip daddr 10.0.2.2 snat to 10.0.2.1
                  }
                }
                """.formatted(dnat), new MasqueradeBinding(ports).ruleset("tap0"));
    }
}
