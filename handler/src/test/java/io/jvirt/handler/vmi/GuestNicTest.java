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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // binding of interface blue on multus network blue | its multus source | kind | netdev | tap | pod interface | attachment | default's fd
        "'bridge':{}     | 'networkName':'blue'             | BRIDGE    | TapFd[fd=3]             | tap0 | net1 | blue    | 4",
        "'bridge':{}     | 'networkName':'other/blue'       | BRIDGE    | TapFd[fd=3]             | tap0 | net1 | other/blue | 4",
        "'masquerade':{} | 'networkName':'blue'             | USER_MODE | UserMode[restrict=true] |      |      |         | 3",
    })
    void aSecondaryNetworksInterface(String binding, String multus, GuestNic.Kind kind, String netdev, String tap, String podInterface,
            String attachment, int defaultFd) throws Exception {
        List<GuestNic> nics = GuestNic.of(JSON.readTree(("{'domain':{'devices':{'interfaces':[{'name':'blue'," + binding
                + "},{'name':'default','masquerade':{}}]}},'networks':[{'name':'blue','multus':{" + multus + "}},{'name':'default','pod':{}}]}")
                .replace('\'', '"')), true, RUN);
        GuestNic blue = nics.get(0);
        assertEquals(kind, blue.kind());
        assertEquals(netdev, blue.netdev().toString());
        assertEquals(tap, blue.tap());
        assertEquals(podInterface, blue.podInterface());
        assertEquals(attachment, blue.attachment());
        assertEquals(new Netdev.TapFd(defaultFd), nics.get(1).netdev());
        assertEquals("eth0", nics.get(1).podInterface());
    }

    @org.junit.jupiter.api.Test
    void secondaryInterfacesAreNumberedInNetworkOrder() throws Exception {
        List<GuestNic> nics = GuestNic.of(JSON.readTree("""
                {"domain":{"devices":{"interfaces":[{"name":"red","bridge":{}},{"name":"blue","bridge":{}}]}},
                 "networks":[{"name":"blue","multus":{"networkName":"blue"}},{"name":"red","multus":{"networkName":"ns/red"}}]}"""), true, RUN);
        assertEquals(List.of("net2", "net1"), nics.stream().map(GuestNic::podInterface).toList());
        assertEquals(List.of("ns/red", "blue"), nics.stream().map(GuestNic::attachment).toList());
    }

    /** The multus default network replaces the pod network: its interface is the pod's eth0, which the pod runner made from the definition. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'bridge':{}     | BRIDGE     | TapFd[fd=3] | tap0",
        "'masquerade':{} | MASQUERADE | TapFd[fd=3] | tap0",
    })
    void theMultusDefaultNetworksInterfaceIsOnEth0(String binding, GuestNic.Kind kind, String netdev, String tap) throws Exception {
        List<GuestNic> nics = GuestNic.of(JSON.readTree(("{'domain':{'devices':{'interfaces':[{'name':'red'," + binding + "},{'name':'blue','bridge':{}}]}},"
                + "'networks':[{'name':'red','multus':{'networkName':'red','default':true}},{'name':'blue','multus':{'networkName':'blue'}}]}")
                .replace('\'', '"')), true, RUN);
        assertEquals(List.of(kind, "eth0", netdev, tap, true), List.of(nics.get(0).kind(), nics.get(0).podInterface(), nics.get(0).netdev().toString(),
                nics.get(0).tap(), nics.get(0).onPodNetwork()));
        assertEquals(null, nics.get(0).attachment(), "not a secondary network: no definition of its own to run");
        assertEquals(List.of("net1", "blue"), List.of(nics.get(1).podInterface(), nics.get(1).attachment()), "secondaries count without the default");
    }
}
