package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GuestAddressTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            // expected: <address> <inside the pod's namespace>, or none
            "masquerade: the fixed guest address | {'spec':{'networks':[{'name':'default','pod':{}}],'domain':{'devices':{'interfaces':[{'name':'default','masquerade':{}}]}}},'status':{'interfaces':[{'name':'default','ipAddress':'10.128.3.7'}]}} | 10.0.2.2 true",
            "bridge: the reported address | {'spec':{'networks':[{'name':'default','pod':{}}],'domain':{'devices':{'interfaces':[{'name':'default','bridge':{}}]}}},'status':{'interfaces':[{'name':'default','ipAddress':'10.128.3.7'}]}} | 10.128.3.7 false",
            "bridge before an address is reported | {'spec':{'networks':[{'name':'default','pod':{}}],'domain':{'devices':{'interfaces':[{'name':'default','bridge':{}}]}}},'status':{'interfaces':[{'name':'default'}]}} | none",
            "the pod network's interface, not another | {'spec':{'networks':[{'name':'a','multus':{'networkName':'x'}},{'name':'p','pod':{}}],'domain':{'devices':{'interfaces':[{'name':'a','bridge':{}},{'name':'p','bridge':{}}]}}},'status':{'interfaces':[{'name':'a','ipAddress':'192.0.2.1'},{'name':'p','ipAddress':'10.128.3.9'}]}} | 10.128.3.9 false",
            "no pod network | {'spec':{'networks':[{'name':'a','multus':{'networkName':'x'}}],'domain':{'devices':{'interfaces':[{'name':'a','bridge':{}}]}}},'status':{'interfaces':[{'name':'a','ipAddress':'192.0.2.1'}]}} | none",
            "no networks at all | {'spec':{'domain':{'devices':{}}}} | none",
    })
    void choosesTheGuestsAddressOnThePodNetwork(String name, String vmi, String expected) throws Exception {
        assertEquals(Optional.ofNullable(expected).map(e -> new GuestAddress(e.split(" ")[0], Boolean.parseBoolean(e.split(" ")[1]))),
                GuestAddress.of(JSON.readTree(vmi.replace('\'', '"'))));
    }
}
