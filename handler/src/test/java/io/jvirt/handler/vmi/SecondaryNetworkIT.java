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
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A multus secondary network end to end on one node: a NetworkAttachmentDefinition applied with kubectl (real CNI
 * {@code bridge} + {@code host-local} plugins, its own host bridge and subnet), a demo guest with a pod network
 * interface and a {@code bridge}-bound interface on it. The guest's second NIC gets the network's address by the
 * agent's DHCP and answers HTTP on it from a namespace the test puts on that network; {@code status.interfaces}
 * lists it; the pod's deletion releases the address. A missing definition fails the VMI with KubeVirt's message.
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
        Path ipam = data.resolve("blue-ipam");
        apply("""
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata: {name: blue, namespace: default}
                spec:
                  config: '{"cniVersion":"1.0.0","name":"blue","plugins":[{"type":"bridge","bridge":"%s","ipam":{"type":"host-local",
                    "dataDir":"%s","ranges":[[{"subnet":"%s.0/24","rangeStart":"%s.10","rangeEnd":"%s.50"}]]}}]}'
                """.formatted(bridge, ipam, SUBNET, SUBNET, SUBNET));
        apply(vmi("vmi-blue", "blue"));
        Pod pod = launch("vmi-blue");
        String uid = pod.getMetadata().getUid();
        GenericKubernetesResource running = waitVmi("vmi-blue", "Running");

        String netns = agent.pods().scope().netnsName(uid);
        String ports = DemoGuest.run("ip", "netns", "exec", netns, "ip", "-o", "link", "show", "master", "k6t-net1");
        assertTrue(ports.contains(" net1@") && ports.contains(" tap1:"), "net1 and the second tap on k6t-net1: " + ports);
        String address = Waits.until("status.interfaces lists blue with its address", Duration.ofSeconds(60), () -> {
            String a = blueInterface("ipAddress");
            return a.startsWith(SUBNET + ".") ? a : null;
        });
        assertEquals("net1", blueInterface("podInterfaceName"));
        assertEquals("domain, multus-status", blueInterface("infoSource"));
        assertEquals(uid, Files.readAllLines(ipam.resolve("blue").resolve(address)).getFirst().strip(), "host-local's lease names the pod");

        // a peer on the secondary network (a namespace on its host bridge) reaches the guest's second NIC
        DemoGuest.run("ip", "netns", "add", peerNs);
        DemoGuest.run("ip", "link", "add", "jvp" + id, "type", "veth", "peer", "name", "eth0", "netns", peerNs);
        DemoGuest.run("ip", "link", "set", "jvp" + id, "master", bridge, "up");
        DemoGuest.run("ip", "netns", "exec", peerNs, "ip", "addr", "add", SUBNET + ".250/24", "dev", "eth0");
        DemoGuest.run("ip", "netns", "exec", peerNs, "ip", "link", "set", "eth0", "up");
        Waits.until("the guest's HTTP server on its secondary address", Duration.ofSeconds(180), () -> curlFromPeer(address).strip().equals("vmi-blue"));
        assertEquals(api.client.pods().resource(pod).get().getStatus().getPodIP(),
                api.kubectl("get", "vmi", "vmi-blue", "-o", "jsonpath={.status.interfaces[?(@.name==\"default\")].ipAddress}"),
                "the pod network interface keeps the pod IP: " + status(running));

        api.controller.pods().resource(pod).delete();
        Waits.until("netns removed", Duration.ofSeconds(60), () -> !Files.exists(Path.of("/run/netns", netns)));
        Waits.until("the secondary address released", Duration.ofSeconds(30), () -> !Files.exists(ipam.resolve("blue").resolve(address)));
        assertFalse(Files.exists(data.resolve("cni/secondary/" + uid)), "its kept secondary configuration goes with the DEL");
        assertEquals("", DemoGuest.run("ip", "-o", "link", "show", "master", bridge).replaceAll("(?m)^.*jvp" + id + ".*$\\n?", "").strip(),
                "no pod veth left on the secondary network's bridge");
    }

    /** The node's answer, which the VMI controller carries to the VMI (FailureReasonsIT shows that path). */
    @Test
    void aMissingNetworkAttachmentDefinitionFailsThePodWithKubeVirtsMessage() throws Exception {
        apply(vmi("vmi-absent", "absent"));
        Pod pod = launch("vmi-absent");
        Pod failed = Waits.until("launcher pod Failed", Duration.ofSeconds(60), () -> {
            Pod p = api.client.pods().resource(pod).get();
            return "Failed".equals(p.getStatus().getPhase()) ? p : null;
        });
        String message = failed.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getMessage();
        assertTrue(message.contains("failed to locate network attachment definition default/absent"), message);
        assertFalse(Files.exists(data.resolve("cni/secondary/" + pod.getMetadata().getUid())), "nothing kept of a network never added");
    }

    private void apply(String yaml) throws Exception {
        Path file = Files.createTempFile(data, "manifest", ".yaml");
        Files.writeString(file, yaml);
        api.kubectl("apply", "-f", file.toString());
    }

    private String blueInterface(String field) {
        try {
            return api.kubectl("get", "vmi", "vmi-blue", "-o", "jsonpath={.status.interfaces[?(@.name==\"blue\")]." + field + "}");
        } catch (Exception e) {
            return "";
        }
    }

    private static String vmi(String name, String network) {
        return """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata: {name: %s, namespace: default}
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks: [{name: containerdisk, disk: {bus: virtio}}]
                      interfaces: [{name: default, masquerade: {}}, {name: blue, bridge: {}}]
                  networks: [{name: default, pod: {}}, {name: blue, multus: {networkName: %s}}]
                  volumes: [{name: containerdisk, containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}}]
                  terminationGracePeriodSeconds: 0
                """.formatted(name, network);
    }

    private Pod launch(String name) {
        GenericKubernetesResource vmi = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName(name).get();
        return api.controller.pods().inNamespace("default").resource(LauncherPodFixtures.withMemory(LauncherPodFixtures.launcherPod(vmi, NODE), "440Mi")
                .editSpec().withTerminationGracePeriodSeconds(15L).endSpec().build()).create();
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
