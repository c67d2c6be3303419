package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code multus: {networkName: red, default: true}} through {@code ./jvirt up} and the stock kubectl: the definition
 * (real CNI {@code bridge} + {@code host-local}, a host bridge and subnet of its own) replaces the pod network, so the
 * launcher pod carries multus' default-network annotation, its IP and the VMI's ({@code kubectl get vmi}) are the
 * definition's, and a peer on that network reaches the guest's HTTP server there; the node's pod network holds nothing
 * of the pod. Deleted across a {@code kill -9} of the control plane, its lease and kept configuration are gone after
 * the restart. A VMI with a pod network and a multus default, or masquerade on the default, is refused with KubeVirt's
 * message.
 */
class MultusDefaultNetworkIT {
    private static final String SUBNET = "10.251.12";
    private static final String ID = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    private static final String BRIDGE = "jvmd" + ID;
    private static final String PEER = "jvtest-mdef-" + ID;
    private static JvirtUp jvirt;
    private static String instance;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.start();
        instance = jvirt.instanceId();
    }

    @AfterAll
    static void down() throws Exception {
        try {
            if (jvirt != null) jvirt.close();
        } finally {
            new ProcessBuilder("sh", "-c", "ip netns del " + PEER + " 2>/dev/null; ip link del " + BRIDGE + " 2>/dev/null; true").start().waitFor();
        }
    }

    @Test
    void theMultusDefaultNetworkReplacesThePodNetworkAndGoesAfterAKill() throws Exception {
        Path ipam = jvirt.home().resolve("red-ipam");
        jvirt.kubectlWithInput("""
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata: {name: red}
                spec:
                  config: '{"cniVersion":"1.0.0","name":"red","plugins":[{"type":"bridge","bridge":"%s","ipam":{"type":"host-local",
                    "dataDir":"%s","ranges":[[{"subnet":"%s.0/24","rangeStart":"%s.10","rangeEnd":"%s.50"}]]}}]}'
                """.formatted(BRIDGE, ipam, SUBNET, SUBNET, SUBNET), "apply", "-f", "-");

        JvirtUp.Result refused = apply("vmi-both", "[{name: default, masquerade: {}}, {name: red, bridge: {}}]",
                "[{name: default, pod: {}}, {name: red, multus: {networkName: red, default: true}}]");
        assertNotEquals(0, refused.exit());
        assertTrue(refused.out().contains("is invalid") && refused.out().contains("spec.networks")
                && refused.out().contains("Pod network cannot be defined when Multus default network is defined"), refused.out());
        refused = apply("vmi-masq", "[{name: red, masquerade: {}}]", "[{name: red, multus: {networkName: red, default: true}}]");
        assertNotEquals(0, refused.exit());
        assertTrue(refused.out().contains("spec.domain.devices.interfaces[0].name")
                && refused.out().contains("Masquerade interface only implemented with pod network"), refused.out());

        JvirtUp.Result created = apply("vmi-red", "[{name: red, bridge: {}}]", "[{name: red, multus: {networkName: red, default: true}}]");
        assertEquals(0, created.exit(), created.out());
        String ip = Waits.until("vmi-red's address", Duration.ofMinutes(5), () -> {
            String reported = jvirt.kubectlResult("get", "vmi", "vmi-red", "-o", "jsonpath={.status.interfaces[0].ipAddress}").out().strip();
            return reported.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? reported : null;
        });
        assertTrue(ip.startsWith(SUBNET + "."), "the definition's address, not the node's pod network's: " + ip);
        String selector = "kubevirt.io/created-by=" + jvirt.kubectl("get", "vmi", "vmi-red", "-o", "jsonpath={.metadata.uid}").strip();
        assertEquals(ip, jvirt.kubectl("get", "pods", "-l", selector, "-o", "jsonpath={.items[0].status.podIP}").strip(), "the pod's IP");
        assertEquals("red", jvirt.kubectl("get", "pods", "-l", selector, "-o",
                "jsonpath={.items[0].metadata.annotations.v1\\.multus-cni\\.io/default-network}").strip(), "virt-controller's multus annotation");
        assertTrue(jvirt.kubectl("get", "vmi", "vmi-red").contains(ip), "kubectl get vmi shows the IP");
        assertFalse(leaseOwners(jvirt.home().resolve("node/cni/ipam/jvirt-" + instance)).contains(podUid(selector)),
                "the node's pod network was not run for the pod");

        run("ip", "netns", "add", PEER);
        run("ip", "link", "add", "jvq" + ID, "type", "veth", "peer", "name", "eth0", "netns", PEER);
        run("ip", "link", "set", "jvq" + ID, "master", BRIDGE, "up");
        run("ip", "netns", "exec", PEER, "ip", "addr", "add", SUBNET + ".250/24", "dev", "eth0");
        run("ip", "netns", "exec", PEER, "ip", "link", "set", "eth0", "up");
        Waits.until("the guest's HTTP server on the definition's address", Duration.ofMinutes(5), () -> curlFromPeer(ip).strip().equals("vmi-red"));

        String uid = podUid(selector);
        assertTrue(leaseOwners(ipam.resolve("red")).contains(uid), "the definition's lease names the pod");
        jvirt.kubectl("delete", "vmi", "vmi-red", "--wait=false");
        jvirt.killControlPlane();
        jvirt.up();
        Waits.until("the VMI gone", Duration.ofMinutes(3), () -> jvirt.kubectl("get", "vmi", "-o", "name").isBlank());
        Waits.until("no launcher pod left", Duration.ofMinutes(2), () -> jvirt.kubectl("get", "pods", "-o", "name").isBlank());
        Waits.until("the definition's lease released", Duration.ofSeconds(60), () -> !leaseOwners(ipam.resolve("red")).contains(uid));
        assertFalse(Files.exists(jvirt.home().resolve("node/cni/secondary/" + uid)), "nothing kept of the pod's attachment");
        assertEquals("", run("ip", "-o", "link", "show", "master", BRIDGE).replaceAll("(?m)^.*jvq" + ID + ".*$\\n?", "").strip(),
                "no pod veth left on the definition's bridge");
    }

    /** kubectl apply of a demo VMI with these interfaces and networks (YAML flow lists); its result. */
    private static JvirtUp.Result apply(String name, String interfaces, String networks) throws Exception {
        return jvirt.kubectlAs(jvirt.kubeconfig(), """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata: {name: %s}
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks: [{name: containerdisk, disk: {bus: virtio}}]
                      interfaces: %s
                  networks: %s
                  volumes: [{name: containerdisk, containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}}]
                  terminationGracePeriodSeconds: 0
                """.formatted(name, interfaces, networks), "apply", "-f", "-");
    }

    private static String podUid(String selector) throws Exception {
        return jvirt.kubectl("get", "pods", "-l", selector, "-o", "jsonpath={.items[0].metadata.uid}").strip();
    }

    /** The container ids host-local's leases in {@code dir} name. */
    private static java.util.Set<String> leaseOwners(Path dir) {
        if (!Files.isDirectory(dir)) return java.util.Set.of();
        try (Stream<Path> files = Files.list(dir)) {
            java.util.Set<String> owners = new java.util.TreeSet<>();
            for (Path f : files.filter(f -> f.getFileName().toString().matches("[0-9.]+")).toList()) {
                owners.add(Files.readAllLines(f).getFirst().strip());
            }
            return owners;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String curlFromPeer(String address) {
        try {
            return run("ip", "netns", "exec", PEER, "curl", "-s", "--max-time", "3", "http://" + address + "/");
        } catch (Exception | AssertionError e) { // not answering yet
            return "";
        }
    }

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", argv) + ": " + out);
        return out;
    }
}
