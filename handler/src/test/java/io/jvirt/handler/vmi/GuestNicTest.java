package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.converter.Netdev;
import io.jvirt.network.binding.GuestPort;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GuestNicTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RUN = Path.of("/run/jvirt/0a1b2c3d-uid");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // binding of the pod network interface | node wires the pod network | kind | netdev
        "'bridge':{}        | true  | BRIDGE     | TapFd[fd=3]",
        "'masquerade':{}    | true  | MASQUERADE | TapFd[fd=3]",
        "'passtBinding':{}  | true  | PASST      | Stream[path=/run/jvirt/0a1b2c3d-uid/passt.sock]",
        "'bridge':{}        | false | USER_MODE  | UserMode[restrict=true]",
        "'sriov':{}         | true  | USER_MODE  | UserMode[restrict=true]",
    })
    void thePodNetworkInterfaceByBinding(String binding, boolean podNetwork, GuestNic.Kind kind, String netdev) throws Exception {
        List<GuestNic> nics = GuestNic.of(JSON.readTree(("{'domain':{'devices':{'interfaces':[{'name':'default'," + binding
                + ",'ports':[{'port':80},{'port':53,'protocol':'UDP'}]}]}},'networks':[{'name':'default','pod':{}}]}").replace('\'', '"')),
                podNetwork, RUN);
        assertEquals(1, nics.size());
        assertEquals(kind, nics.getFirst().kind());
        assertEquals(netdev, nics.getFirst().netdev().toString());
        assertEquals(List.of(new GuestPort(80, "tcp"), new GuestPort(53, "udp")), nics.getFirst().ports());
    }

    @org.junit.jupiter.api.Test
    void aSecondaryNetworkIsUserModeAndTapsAreNumberedFromThree() throws Exception {
        List<GuestNic> nics = GuestNic.of(JSON.readTree("""
                {"domain":{"devices":{"interfaces":[{"name":"blue","bridge":{}},{"name":"default","masquerade":{}}]}},
                 "networks":[{"name":"blue","multus":{"networkName":"blue"}},{"name":"default","pod":{}}]}"""), true, RUN);
        assertEquals(new Netdev.UserMode(true), nics.get(0).netdev());
        assertEquals(new Netdev.TapFd(3), nics.get(1).netdev());
        assertEquals("tap0", nics.get(1).tap());
    }
}
