package io.jvirt.network.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.Arguments;
import java.util.stream.Stream;

class MasqueradeBindingTest {
    private static final String TABLE = """
            table %1$s jvirt {
              chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
            %4$s  }
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "eth0" %1$s saddr %2$s masquerade
                oifname "tap0" %1$s daddr %2$s snat to %3$s
              }
            }
            """;

    static Stream<Arguments> rulesets() {
        List<GuestPort> declared = List.of(new GuestPort(80, null), new GuestPort(443, "TCP"), new GuestPort(53, "UDP"));
        return Stream.of(
                Arguments.of(List.of(), false, "    iifname \"eth0\" meta l4proto { tcp, udp } dnat to 10.0.2.2\n", null),
                Arguments.of(declared, false,
                        "    iifname \"eth0\" tcp dport { 80, 443 } dnat to 10.0.2.2\n    iifname \"eth0\" udp dport { 53 } dnat to 10.0.2.2\n", null),
                Arguments.of(List.of(), true, "    iifname \"eth0\" meta l4proto { tcp, udp } dnat to 10.0.2.2\n",
                        "    iifname \"eth0\" meta l4proto { tcp, udp } dnat to fd10:0:2::2\n"),
                Arguments.of(declared, true,
                        "    iifname \"eth0\" tcp dport { 80, 443 } dnat to 10.0.2.2\n    iifname \"eth0\" udp dport { 53 } dnat to 10.0.2.2\n",
                        "    iifname \"eth0\" tcp dport { 80, 443 } dnat to fd10:0:2::2\n    iifname \"eth0\" udp dport { 53 } dnat to fd10:0:2::2\n"));
    }

    @ParameterizedTest(name = "{0}, IPv6 {1}")
    @MethodSource("rulesets")
    void onlyTheDeclaredPortsAreForwardedInEachFamily(List<GuestPort> ports, boolean ipv6, String dnat, String dnat6) {
        String expected = TABLE.formatted("ip", "10.0.2.2", "10.0.2.1", dnat)
                + (ipv6 ? TABLE.formatted("ip6", "fd10:0:2::2", "fd10:0:2::1", dnat6) : "");
        assertEquals(expected, new MasqueradeBinding(ports).ruleset("tap0", ipv6));
    }
}
