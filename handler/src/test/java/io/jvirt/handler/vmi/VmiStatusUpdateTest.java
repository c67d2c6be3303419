package io.jvirt.handler.vmi;

import io.jvirt.converter.DomainState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.qemu.Accel;
import io.jvirt.qemu.accel.AccelDecision;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.CsvSource;

class VmiStatusUpdateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AccelDecision TCG = new AccelDecision(Accel.TCG, "no kvm");
    private static final AccelDecision KVM = new AccelDecision(Accel.KVM, "kvm ran a guest");

    private static JsonNode spec() throws Exception {
        return JSON.readTree("""
                {"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{}},{"name":"second","macAddress":"02:00:00:00:00:02"}]}},
                 "networks":[{"name":"default","pod":{}},{"name":"second","multus":{"networkName":"other"}}]}""");
    }

    private static String condition(ObjectNode status, String type) {
        return StreamSupport.stream(status.path("conditions").spliterator(), false).filter(c -> type.equals(c.path("type").asText()))
                .map(c -> c.path("status").asText()).findFirst().orElse(null);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        // state, accel kvm?, phase, Ready, Paused, SoftwareEmulation
        "RUNNING, false, Running, True, null, True",
        "RUNNING, true, Running, True, null, False",
        "PAUSED, false, Running, False, True, True",
        "STARTING, false, Scheduled, False, null, True",
        "CRASHED, false, Failed, False, null, True",
    })
    void conditionsPerState(DomainState state, boolean kvm, String phase, String ready, String paused, String emulation) throws Exception {
        ObjectNode status = JSON.createObjectNode();
        VmiStatusUpdate.apply(status, spec(), VmiStatusMapping.of(state), "why", "node-a", kvm ? KVM : TCG, List.of(), List.of(), List.of(), "2026-01-01T00:00:00Z");
        assertEquals(phase, status.path("phase").asText());
        assertEquals("node-a", status.path("nodeName").asText());
        assertEquals(ready, condition(status, "Ready"));
        assertEquals(paused, condition(status, "Paused"));
        assertEquals(emulation, condition(status, "SoftwareEmulation"));
        assertEquals("False", condition(status, "LiveMigratable"));
    }

    @Test
    void keepsForeignConditionsAndTransitionTimesAndReadsMacsFromArgv() throws Exception {
        ObjectNode status = (ObjectNode) JSON.readTree("""
                {"phase":"Running","conditions":[{"type":"AgentConnected","status":"True"},
                 {"type":"Ready","status":"True","lastTransitionTime":"2025-01-01T00:00:00Z"}]}""");
        List<String> argv = List.of("-device", "virtio-net-pci,netdev=net0,id=ua-default,mac=52:54:00:AB:CD:EF", "-device", "virtio-net-pci,netdev=net1,id=ua-second,mac=02:00:00:00:00:02");
        VmiStatusUpdate.apply(status, spec(), VmiStatusMapping.of(DomainState.RUNNING), null, "n", TCG, argv, List.of(), List.of(), "2026-01-01T00:00:00Z");
        assertEquals("True", condition(status, "AgentConnected"));
        JsonNode ready = StreamSupport.stream(status.path("conditions").spliterator(), false)
                .filter(c -> c.path("type").asText().equals("Ready")).findFirst().orElseThrow();
        assertEquals("2025-01-01T00:00:00Z", ready.path("lastTransitionTime").asText(), "unchanged status keeps its transition time");
        assertFalse(status.has("phaseTransitionTimestamps"), "phase did not change");
        assertEquals("52:54:00:ab:cd:ef", status.path("interfaces").path(0).path("mac").asText());
        assertEquals("default", status.path("interfaces").path(0).path("name").asText());
        assertEquals("02:00:00:00:00:02", status.path("interfaces").path(1).path("mac").asText());
        assertFalse(status.path("interfaces").path(0).has("ipAddress"), "no pod network: no address");
    }

    /**
     * The pod network's interface reports the pod's addresses as KubeVirt does (the IP column of kubectl get vmi), both
     * families on a dual-stack pod network (IPv4 first, the pod's order); another network's does not.
     */
    @ParameterizedTest(name = "pod IPs {0}")
    @ValueSource(strings = {"10.128.7.5", "10.128.7.5 fd10:128:0:1::5"})
    void thePodNetworkInterfaceReportsThePodsAddresses(String podIps) throws Exception {
        ObjectNode status = JSON.createObjectNode();
        List<String> ips = List.of(podIps.split(" "));
        List<String> argv = List.of("-device", "virtio-net-pci,netdev=net0,id=ua-default,mac=52:54:00:ab:cd:ef");
        VmiStatusUpdate.apply(status, spec(), VmiStatusMapping.of(DomainState.RUNNING), null, "n", TCG, argv, ips, List.of(),
                "2026-01-01T00:00:00Z");
        assertEquals(JSON.readTree("""
                [{"ipAddress":"10.128.7.5","ipAddresses":%s,"mac":"52:54:00:ab:cd:ef","name":"default",
                  "podInterfaceName":"eth0","infoSource":"domain","queueCount":1},
                 {"mac":"02:00:00:00:00:02","name":"second","infoSource":"domain","queueCount":1}]""".formatted(JSON.writeValueAsString(ips))),
                status.path("interfaces"));
    }

    /** A multus secondary interface reports its network's address and pod interface, as KubeVirt does from multus' status. */
    @Test
    void aSecondaryInterfaceReportsItsNetworksAddress() throws Exception {
        ObjectNode status = JSON.createObjectNode();
        List<String> argv = List.of("-device", "virtio-net-pci,netdev=net0,id=ua-default,mac=52:54:00:ab:cd:ef");
        VmiStatusUpdate.apply(status, spec(), VmiStatusMapping.of(DomainState.RUNNING), null, "n", TCG, argv, List.of("10.128.7.5"),
                List.of(new GuestNetwork.Secondary("second", "net1", List.of("10.250.0.10"))), "2026-01-01T00:00:00Z");
        assertEquals(JSON.readTree("""
                {"ipAddress":"10.250.0.10","ipAddresses":["10.250.0.10"],"mac":"02:00:00:00:00:02","name":"second",
                 "podInterfaceName":"net1","infoSource":"domain, multus-status","queueCount":1}"""), status.path("interfaces").get(1));
    }

    /** The multus default network's interface reports the pod's addresses (its eth0 is that network's). */
    @Test
    void theMultusDefaultNetworksInterfaceReportsThePodsAddresses() throws Exception {
        ObjectNode status = JSON.createObjectNode();
        JsonNode spec = JSON.readTree("""
                {"domain":{"devices":{"interfaces":[{"name":"red","bridge":{},"macAddress":"02:00:00:00:00:03"}]}},
                 "networks":[{"name":"red","multus":{"networkName":"red","default":true}}]}""");
        VmiStatusUpdate.apply(status, spec, VmiStatusMapping.of(DomainState.RUNNING), null, "n", TCG, List.of(), List.of("10.251.8.10"), List.of(),
                "2026-01-01T00:00:00Z");
        assertEquals(JSON.readTree("""
                [{"ipAddress":"10.251.8.10","ipAddresses":["10.251.8.10"],"mac":"02:00:00:00:00:03","name":"red",
                  "podInterfaceName":"eth0","infoSource":"domain","queueCount":1}]"""), status.path("interfaces"));
    }
}
