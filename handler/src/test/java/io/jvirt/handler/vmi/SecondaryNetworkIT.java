package io.jvirt.handler.vmi;

import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.VmiStatusView.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.handler.HandlerConfig;
import io.jvirt.handler.LauncherPodFixtures;
import io.jvirt.handler.NodeAgent;
import io.jvirt.handler.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Multus networks end to end on one node: a NetworkAttachmentDefinition applied with kubectl (real CNI {@code bridge}
 * + {@code host-local} plugins, its own host bridge and subnet) and a demo guest with a {@code bridge}-bound interface
 * on it. As a secondary network (beside a pod network interface) the guest's second NIC gets the network's address by
 * the agent's DHCP; as the multus default network it replaces the pod network: the pod's {@code eth0}, its
 * {@code status.podIP} and the guest's one NIC are that network's, the node's pod network holds nothing of the pod.
 * Either way the guest answers HTTP on that address from a namespace the test puts on the network,
 * {@code status.interfaces} lists it, and the pod's deletion releases the address. A missing definition fails the VMI
 * with KubeVirt's message.
 */
class SecondaryNetworkIT {
    private static final String NODE = "node-multus";
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private static final String SUBNET = "10.251.7";
    private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    private final String bridge = "jvsec" + id;
    private final String peerNs = "jvtest-sec-" + id;
    private EmbeddedApi api;
    private Path data;
    private NodeAgent agent;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        api = EmbeddedApi.start();
        data = Files.createTempDirectory("jvirt-handler-multus");
        agent = new NodeAgent(api.nodeAgent, HandlerConfig.defaults(NODE, data, BUILD).withHeartbeat(Duration.ofSeconds(2)));
        agent.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (api == null) {
            return;
        }
        api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").delete();
        api.deletePods();
        Waits.until("pods cleaned up", Duration.ofSeconds(60), () -> noPodsIn(data.resolve("pods")));
        agent.close();
        api.close();
        DemoGuest.run("sh", "-c", "ip netns del " + peerNs + " 2>/dev/null; ip link del " + bridge + " 2>/dev/null; true");
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aSecondaryBridgeNetworkGivesTheGuestASecondNicWithAnAddressFromIt() throws Exception {
        Path ipam = definition("blue");
        apply(vmi("vmi-blue", "blue"));
        Pod pod = launch("vmi-blue", null);
        String uid = pod.getMetadata().getUid();
        GenericKubernetesResource running = waitVmi("vmi-blue", "Running");

        String netns = agent.pods().scope().netnsName(uid);
        String ports = DemoGuest.run("ip", "netns", "exec", netns, "ip", "-o", "link", "show", "master", "k6t-net1");
        assertTrue(ports.contains(" net1@") && ports.contains(" tap1:"), "net1 and the second tap on k6t-net1: " + ports);
        String address = Waits.until("status.interfaces lists blue with its address", Duration.ofSeconds(60), () -> {
            String a = vmiInterface("vmi-blue", "blue", "ipAddress");
            return a.startsWith(SUBNET + ".") ? a : null;
        });
        assertEquals("net1", vmiInterface("vmi-blue", "blue", "podInterfaceName"));
        assertEquals("domain, multus-status", vmiInterface("vmi-blue", "blue", "infoSource"));
        assertEquals(uid, Files.readAllLines(ipam.resolve("blue").resolve(address)).getFirst().strip(), "host-local's lease names the pod");

        answersOnTheNetwork(address, "vmi-blue");
        assertEquals(api.client.pods().resource(pod).get().getStatus().getPodIP(),
                api.kubectl("get", "vmi", "vmi-blue", "-o", "jsonpath={.status.interfaces[?(@.name==\"default\")].ipAddress}"),
                "the pod network interface keeps the pod IP: " + status(running));

        deleteAndCheckReleased(pod, ipam.resolve("blue").resolve(address));
    }

    /**
     * {@code multus: {networkName: red, default: true}}: the launcher pod carries multus' default-network annotation (as
     * virt-controller sets it), the agent runs the definition for the pod's {@code eth0} instead of the node's pod network,
     * and the pod, the VMI's status and the guest all have that network's address.
     */
    @Test
    void theMultusDefaultNetworkReplacesThePodNetwork() throws Exception {
        Path ipam = definition("red");
        apply(vmi("vmi-red", "[{name: red, bridge: {}}]", "[{name: red, multus: {networkName: red, default: true}}]"));
        Pod pod = launch("vmi-red", "red");
        String uid = pod.getMetadata().getUid();
        waitVmi("vmi-red", "Running");

        Pod started = api.client.pods().resource(pod).get();
        String address = started.getStatus().getPodIP();
        assertTrue(address != null && address.startsWith(SUBNET + "."), "status.podIP is the definition's address: " + started.getStatus());
        assertEquals(List.of(address), started.getStatus().getPodIPs().stream().map(io.fabric8.kubernetes.api.model.PodIP::getIp).toList());
        assertEquals(uid, Files.readAllLines(ipam.resolve("red").resolve(address)).getFirst().strip(), "the definition's host-local lease names the pod");
        Path podNetworkLeases = data.resolve("cni/ipam").resolve(io.jvirt.network.PodNetwork.networkName(agent.pods().scope().id()));
        try (Stream<Path> leases = Files.isDirectory(podNetworkLeases) ? Files.list(podNetworkLeases) : Stream.empty()) {
            assertFalse(leases.anyMatch(f -> f.getFileName().toString().matches("[0-9.]+") && firstLine(f).equals(uid)),
                    "the node's pod network was not run for the pod");
        }
        assertFalse(Files.exists(data.resolve("cni/results/" + uid + ".json")), "no pod network result for it");
        String netns = agent.pods().scope().netnsName(uid);
        String ports = DemoGuest.run("ip", "netns", "exec", netns, "ip", "-o", "link", "show", "master", "k6t-eth0");
        assertTrue(ports.contains(" eth0@") && ports.contains(" tap0:"), "the definition's eth0 and the guest's tap on k6t-eth0: " + ports);
        assertEquals(address, Waits.until("status.interfaces lists red with the pod's address", Duration.ofSeconds(60), () -> {
            String a = vmiInterface("vmi-red", "red", "ipAddress");
            return a.isEmpty() ? null : a;
        }));
        assertEquals("eth0", vmiInterface("vmi-red", "red", "podInterfaceName"));
        assertEquals(address, api.kubectl("get", "vmi", "vmi-red", "-o", "jsonpath={.status.interfaces[0].ipAddresses[0]}"));

        answersOnTheNetwork(address, "vmi-red"); // the guest took the address by the agent's DHCP
        deleteAndCheckReleased(pod, ipam.resolve("red").resolve(address));
    }

    /** The node's answer, which the VMI controller carries to the VMI (FailureReasonsIT shows that path). */
    @ParameterizedTest(name = "as the default network: {0}")
    @ValueSource(booleans = {false, true})
    void aMissingNetworkAttachmentDefinitionFailsThePodWithKubeVirtsMessage(boolean asDefault) throws Exception {
        apply(asDefault ? vmi("vmi-absent", "[{name: red, bridge: {}}]", "[{name: red, multus: {networkName: absent, default: true}}]")
                : vmi("vmi-absent", "absent"));
        Pod pod = launch("vmi-absent", asDefault ? "absent" : null);
        Pod failed = Waits.until("launcher pod Failed", Duration.ofSeconds(60), () -> {
            Pod p = api.client.pods().resource(pod).get();
            return "Failed".equals(p.getStatus().getPhase()) ? p : null;
        });
        String message = failed.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getMessage();
        assertTrue(message.contains("failed to locate network attachment definition default/absent"), message);
        assertFalse(Files.exists(data.resolve("cni/secondary/" + pod.getMetadata().getUid())), "nothing kept of a network never added");
    }

    /**
     * Applies definition {@code name}: the CNI bridge plugin on this test's host bridge with host-local addresses of
     * {@link #SUBNET} (.10-.50) kept under the returned directory.
     */
    private Path definition(String name) throws Exception {
        Path ipam = data.resolve(name + "-ipam");
        apply("""
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata: {name: %s, namespace: default}
                spec:
                  config: '{"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"bridge","bridge":"%s","ipam":{"type":"host-local",
                    "dataDir":"%s","ranges":[[{"subnet":"%s.0/24","rangeStart":"%s.10","rangeEnd":"%s.50"}]]}}]}'
                """.formatted(name, name, bridge, ipam, SUBNET, SUBNET, SUBNET));
        return ipam;
    }

    /** A peer on the definition's network (a namespace on its host bridge, .250) gets the guest's host name over HTTP at {@code address}. */
    private void answersOnTheNetwork(String address, String hostname) throws Exception {
        DemoGuest.run("ip", "netns", "add", peerNs);
        DemoGuest.run("ip", "link", "add", "jvp" + id, "type", "veth", "peer", "name", "eth0", "netns", peerNs);
        DemoGuest.run("ip", "link", "set", "jvp" + id, "master", bridge, "up");
        DemoGuest.run("ip", "netns", "exec", peerNs, "ip", "addr", "add", SUBNET + ".250/24", "dev", "eth0");
        DemoGuest.run("ip", "netns", "exec", peerNs, "ip", "link", "set", "eth0", "up");
        Waits.until("the guest's HTTP server on " + address, Duration.ofSeconds(180), () -> curlFromPeer(address).strip().equals(hostname));
    }

    /** Deletes the pod: its namespace goes, the definition's lease {@code lease} is released, nothing is kept, no pod veth stays on the bridge. */
    private void deleteAndCheckReleased(Pod pod, Path lease) throws Exception {
        String uid = pod.getMetadata().getUid();
        String netns = agent.pods().scope().netnsName(uid);
        api.controller.pods().resource(pod).delete();
        Waits.until("netns removed", Duration.ofSeconds(60), () -> !Files.exists(Path.of("/run/netns", netns)));
        Waits.until("the definition's address released", Duration.ofSeconds(30), () -> !Files.exists(lease));
        assertFalse(Files.exists(data.resolve("cni/secondary/" + uid)), "its kept configuration goes with the DEL");
        assertEquals("", DemoGuest.run("ip", "-o", "link", "show", "master", bridge).replaceAll("(?m)^.*jvp" + id + ".*$\\n?", "").strip(),
                "no pod veth left on the definition's bridge");
    }

    private static String firstLine(Path file) {
        try {
            return Files.readAllLines(file).getFirst().strip();
        } catch (Exception e) {
            return "";
        }
    }

    private void apply(String yaml) throws Exception {
        Path file = Files.createTempFile(data, "manifest", ".yaml");
        Files.writeString(file, yaml);
        api.kubectl("apply", "-f", file.toString());
    }

    private String vmiInterface(String vmi, String name, String field) {
        try {
            return api.kubectl("get", "vmi", vmi, "-o", "jsonpath={.status.interfaces[?(@.name==\"" + name + "\")]." + field + "}");
        } catch (Exception e) {
            return "";
        }
    }

    /** A VMI with a masquerade interface on the pod network and a bridge interface on multus network {@code network}. */
    private static String vmi(String name, String network) {
        return vmi(name, "[{name: default, masquerade: {}}, {name: blue, bridge: {}}]",
                "[{name: default, pod: {}}, {name: blue, multus: {networkName: %s}}]".formatted(network));
    }

    private static String vmi(String name, String interfaces, String networks) {
        return """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata: {name: %s, namespace: default}
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks: [{name: containerdisk, disk: {bus: virtio}}]
                      interfaces: %s
                  networks: %s
                  volumes: [{name: containerdisk, containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}}]
                  terminationGracePeriodSeconds: 0
                """.formatted(name, interfaces, networks);
    }

    /** Creates the VMI's launcher pod as virt-controller does, with multus' default-network annotation naming {@code defaultNetwork} unless null. */
    private Pod launch(String name, String defaultNetwork) {
        GenericKubernetesResource vmi = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(name).get();
        io.fabric8.kubernetes.api.model.PodBuilder pod = LauncherPodFixtures.withMemory(LauncherPodFixtures.launcherPod(vmi, NODE), "440Mi")
                .editSpec().withTerminationGracePeriodSeconds(15L).endSpec();
        if (defaultNetwork != null) {
            pod.editMetadata().addToAnnotations(io.jvirt.api.v1.MultusNetwork.DEFAULT_NETWORK_ANNOTATION, defaultNetwork).endMetadata();
        }
        return api.controller.pods().inNamespace("default").resource(pod.build()).create();
    }

    private GenericKubernetesResource waitVmi(String name, String phase) throws InterruptedException {
        return Waits.until("VMI " + name + " " + phase, Duration.ofSeconds(120), () -> {
            GenericKubernetesResource v = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(name).get();
            return v != null && phase.equals(status(v).get("phase")) ? v : null;
        });
    }

    private String curlFromPeer(String address) {
        try {
            return DemoGuest.run("ip", "netns", "exec", peerNs, "curl", "-s", "--max-time", "3", "http://" + address + "/");
        } catch (Exception | AssertionError e) { // not answering yet
            return "";
        }
    }
}
