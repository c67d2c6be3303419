package io.jvirt.network.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PasstBindingTest {
    static Stream<Arguments> portSpecs() {
        return Stream.of(
                Arguments.of(List.of(), "--tcp-ports all --udp-ports all"),
                Arguments.of(List.of(new GuestPort(80, null), new GuestPort(443, "TCP"), new GuestPort(80, "tcp")), "--tcp-ports 80,443 --udp-ports none"),
                Arguments.of(List.of(new GuestPort(53, "UDP")), "--tcp-ports none --udp-ports 53"));
    }

    @ParameterizedTest
    @MethodSource("portSpecs")
    void passtRunsUnprivilegedOnceWithOnlyTheDeclaredPorts(List<GuestPort> ports, String forwards) {
        assertEquals("setpriv --reuid 107 --regid 107 --clear-groups --no-new-privs passt --quiet --one-off"
                + " --socket /run/jvirt/p/passt.sock --pid /run/jvirt/p/passt.pid --log-file /run/jvirt/p/passt.log --interface eth0"
                + " --dns 10.96.0.10 " + forwards,
                String.join(" ", new PasstBinding(ports).argv(Path.of("/run/jvirt/p"), 107, 107, List.of("10.96.0.10"))));
    }
}
