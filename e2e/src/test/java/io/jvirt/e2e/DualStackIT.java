package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dual-stack pod network through {@code ./jvirt up} with the node setting {@code dualStackPodNetwork=true}, the
 * stock kubectl and a real demo guest (TCG): the launcher pod's {@code status.podIPs} lists its IPv4 and then its IPv6
 * address, the VMI's {@code status.interfaces[0].ipAddresses} both; a masquerade guest configured as KubeVirt's
 * {@code vmi-masquerade} example configures it (fd10:0:2::2/120, default route via fd10:0:2::1, DHCPv4 beside it)
 * answers {@code curl -6 http://[<pod IPv6>]:80/} from the host, and its undeclared port 22 is refused over IPv6;
 * deleted, it leaves no IPv6 lease or rule behind.
 */
class DualStackIT {
    private static JvirtUp jvirt;
    private static String instance;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.inFreshHome();
        Files.writeString(jvirt.home().resolve("config.properties"), "dualStackPodNetwork=true\n");
        jvirt.up();
        instance = jvirt.instanceId();
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) jvirt.close();
    }

    @Test
    void aMasqueradeGuestAnswersOnThePodsIpv6AddressForTheDeclaredPortOnly() throws Exception {
        jvirt.kubectlWithInput("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: vmi-masq6
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks:
                        - {name: containerdisk, disk: {bus: virtio}}
                        - {name: cloudinitdisk, disk: {bus: virtio}}
                      interfaces:
                        - name: default
                          masquerade: {}
                          ports:
                            - {name: http, port: 80, protocol: TCP}
                  networks:
                    - name: default
                      pod: {}
                  terminationGracePeriodSeconds: 0
                  volumes:
                    - name: containerdisk
                      containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}
                    - name: cloudinitdisk
                      cloudInitNoCloud:
                        networkData: |
                          version: 2
                          ethernets:
                            eth0:
                              addresses: [ fd10:0:2::2/120 ]
                              dhcp4: true
                              routes:
                              - to: ::/0
                                via: fd10:0:2::1
                """, "apply", "-f", "-");
        String vmiUid = jvirt.kubectl("get", "vmi", "vmi-masq6", "-o", "jsonpath={.metadata.uid}").strip();
        List<String> podIps = Waits.until("the launcher pod's two addresses", Duration.ofMinutes(5), () -> {
            List<String> ips = List.of(jvirt.kubectl("get", "pods", "-l", "kubevirt.io/created-by=" + vmiUid, "-o",
                    "jsonpath={.items[0].status.podIPs[*].ip}").strip().split(" "));
            return ips.size() == 2 ? ips : null;
        });
        assertTrue(podIps.get(0).matches("\\d+\\.\\d+\\.\\d+\\.\\d+"), "IPv4 first: " + podIps);
        assertTrue(podIps.get(1).startsWith("fd10:128:"), "then one of the node's IPv6 /64: " + podIps);
        assertEquals(podIps.get(0), jvirt.kubectl("get", "pods", "-l", "kubevirt.io/created-by=" + vmiUid, "-o",
                "jsonpath={.items[0].status.podIP}").strip(), "podIP is the first of podIPs");
        String reported = Waits.until("the VMI's interface addresses", Duration.ofMinutes(5), () -> {
            String ips = jvirt.kubectl("get", "vmi", "vmi-masq6", "-o", "jsonpath={.status.interfaces[0].ipAddresses[*]}").strip();
            return ips.isEmpty() ? null : ips;
        });
        assertEquals(String.join(" ", podIps), reported, "status.interfaces[0].ipAddresses lists both families");

        String ip6 = podIps.get(1);
        Waits.until("curl -6 to the pod's IPv6 port 80 reaching the guest", Duration.ofMinutes(5),
                () -> curl6("http://[" + ip6 + "]:80/").strip().equals("vmi-masq6"));
        assertTrue(Guests.refused(ip6, 22), "port 22 (the guest's SSH server) was not declared");

        jvirt.kubectl("delete", "vmi", "vmi-masq6", "--wait=true");
        Waits.until("no launcher pod left", Duration.ofMinutes(2), () -> jvirt.kubectl("get", "pods", "-o", "name").isBlank());
        Waits.until("no IPv6 lease left", Duration.ofSeconds(60), () -> leases().stream().noneMatch(f -> f.contains(":")));
        assertTrue(run("ip6tables-save", "-t", "nat").lines().noneMatch(l -> l.contains("jvirt-" + instance)), "no IPv6 portmap rule left");
    }

    /** The body {@code curl -6} gets from {@code url} (empty when it fails, for the wait to poll). */
    private static String curl6(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-6", "-s", "--max-time", "5", url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? out : "";
    }

    private static List<String> leases() throws Exception {
        Path dir = jvirt.home().resolve("node/cni/ipam/jvirt-" + instance);
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.matches("[0-9a-f.:]+")).toList();
        }
    }

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", argv) + ": " + out);
        return out;
    }
}
