package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
 * Issue 16's pod network acceptance through {@code ./jvirt up}, the stock kubectl and real demo guests (TCG): a VMI
 * that declares no interface gets KubeVirt's default {@code bridge} interface on the pod network, its guest takes the
 * launcher pod's IP by the node agent's DHCP, {@code kubectl get vmi} shows it and the guest answers HTTP on it; a
 * second guest reaches the first over the pod network (its user data pings the first's IP); masquerade with port
 * 80 declared: the guest has 10.0.2.2, the pod IP's port 80 answers from the host and the undeclared port 22 (the
 * guest's SSH server) is refused; passt: the guest has the pod IP and answers HTTP. Last, the VMIs are deleted with
 * a {@code kill -9} of the control plane in the middle, together with {@value #BULK} more created just before (20 in
 * all, their pod networks still being set up): after the restart nothing of the pod network is left (network
 * namespaces, veths on the node's bridge, address leases, kept CNI results, portmap rules).
 */
class PodNetworkIT {
    /** The guest's IPv4 address on eth0 as busybox prints it ({@code inet A.B.C.D/N}). */
    private static final String ADDRESS = "ip -4 addr show eth0 | grep -o 'inet [0-9./]*'";
    /** User data printing the guest's address on the console once DHCP gave it one. */
    private static final String SHOW_ADDRESS = "#!/bin/sh\nuntil ip -4 addr show eth0 | grep -q inet; do sleep 1; done\n"
            + "echo \"jvirt-test: address $(" + ADDRESS + ")\"\n";
    /** VMIs beyond the first four, for the leftover check at issue 16's size (20 in all). */
    private static final int BULK = 16;
    private static JvirtUp jvirt;
    private static String instance;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.start();
        instance = jvirt.instanceId();
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) jvirt.close();
    }

    @Test
    void bridgeByDefaultMasqueradeAndPasstThenNothingLeftAfterAKill() throws Exception {
        apply("vmi-web", "", "#!/bin/sh\necho jvirt-test: user data ran\n");
        String webIp = podIpOf("vmi-web");
        String defaulted = jvirt.kubectl("get", "vmi", "vmi-web", "-o", "jsonpath={.spec.domain.devices.interfaces[0]}");
        assertTrue(defaulted.contains("\"bridge\"") && defaulted.contains("\"default\""), "KubeVirt's default interface: " + defaulted);
        assertTrue(jvirt.kubectl("get", "vmi", "vmi-web").contains(webIp), "kubectl get vmi shows the IP: " + jvirt.kubectl("get", "vmi", "vmi-web"));
        Waits.until("the guest's HTTP server on the pod IP", Duration.ofMinutes(5), () -> Guests.http("http://" + webIp + "/").strip().equals("vmi-web"));

        // busybox's ping from the guest (its wget crashes in the demo guest's initramfs)
        apply("vmi-client", "", "#!/bin/sh\nuntil ping -c 1 -W 2 " + webIp + " >/dev/null; do sleep 1; done\n"
                + "echo \"jvirt-test: reached " + webIp + " from $(" + ADDRESS + ")\"\n");
        String clientIp = podIpOf("vmi-client");
        Waits.until("the second guest reaching the first over the pod network", Duration.ofMinutes(5),
                () -> serial("vmi-client").contains("jvirt-test: reached " + webIp + " from inet " + clientIp + "/24"));

        apply("vmi-masq", """
                      interfaces:
                        - name: default
                          masquerade: {}
                          ports:
                            - port: 80
                  networks:
                    - name: default
                      pod: {}
                """, SHOW_ADDRESS);
        String masqIp = podIpOf("vmi-masq");
        Waits.until("the masquerade guest's address", Duration.ofMinutes(5), () -> serial("vmi-masq").contains("jvirt-test: address inet 10.0.2.2/24"));
        Waits.until("port 80 of the pod IP reaching the guest", Duration.ofMinutes(2), () -> Guests.http("http://" + masqIp + ":80/").strip().equals("vmi-masq"));
        assertTrue(Guests.refused(masqIp, 22), "port 22 (the guest's SSH server) was not declared");

        // port 80 declared: forwarding every port takes passt some 131000 sockets, beyond this host's open-file limit
        apply("vmi-passt", """
                      interfaces:
                        - name: default
                          passtBinding: {}
                          ports:
                            - port: 80
                  networks:
                    - name: default
                      pod: {}
                """, SHOW_ADDRESS);
        String passtIp = podIpOf("vmi-passt");
        Waits.until("the passt guest holding the pod IP", Duration.ofMinutes(5), () -> serial("vmi-passt").contains("jvirt-test: address inet " + passtIp + "/"));
        Waits.until("the passt guest's HTTP server on the pod IP", Duration.ofMinutes(2), () -> Guests.http("http://" + passtIp + "/").strip().equals("vmi-passt"));

        // 20 VMIs in all: 16 more are created and, while their pods' networks are still being set up, everything is
        // deleted and the control plane is killed
        for (int i = 0; i < BULK; i++) {
            apply("vmi-bulk-" + i, "", "#!/bin/sh\ntrue\n");
        }
        Waits.until("some of the new pods on the pod network", Duration.ofMinutes(3), () -> jvirt.kubectl("get", "pods", "-o",
                "jsonpath={range .items[*]}{.status.podIP}{\"\\n\"}{end}").lines().filter(l -> !l.isBlank()).count() > 4 + BULK / 4);
        jvirt.kubectl("delete", "vmi", "--all", "--wait=false");
        jvirt.killControlPlane();
        jvirt.up();
        Waits.until("every VMI gone", Duration.ofMinutes(3), () -> jvirt.kubectl("get", "vmi", "-o", "name").isBlank());
        Waits.until("no launcher pod left", Duration.ofMinutes(2), () -> jvirt.kubectl("get", "pods", "-o", "name").isBlank());
        Waits.until("no network namespace of the node left", Duration.ofSeconds(60), () -> run("ip", "netns", "list").lines()
                .noneMatch(l -> l.startsWith("jvirt-" + instance + "-")));
        assertEquals("", run("ip", "-o", "link", "show", "master", "jvbr" + instance).strip(), "no veth left on the node's bridge");
        assertEquals(List.of(), files(jvirt.home().resolve("node/cni/ipam/jvirt-" + instance)).stream()
                .filter(f -> f.matches("[0-9.]+")).toList(), "no address lease left");
        assertEquals(List.of(), files(jvirt.home().resolve("node/cni/results")), "no kept CNI result left");
        assertTrue(run("iptables-save", "-t", "nat").lines().noneMatch(l -> l.contains("jvirt-" + instance)), "no portmap rule left");
    }

    /**
     * Applies a demo VMI named {@code name}: {@code interfacesAndNetworks} is YAML of its {@code interfaces} (under
     * {@code devices}) and {@code networks} (under {@code spec}), empty for none (KubeVirt's default).
     */
    private static void apply(String name, String interfacesAndNetworks, String userData) throws Exception {
        jvirt.kubectlWithInput("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: %s
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks:
                        - {name: containerdisk, disk: {bus: virtio}}
                        - {name: cloudinitdisk, disk: {bus: virtio}}
                %s  terminationGracePeriodSeconds: 0
                  volumes:
                    - name: containerdisk
                      containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}
                    - name: cloudinitdisk
                      cloudInitNoCloud:
                        userData: |
                %s
                """.formatted(name, interfacesAndNetworks, userData.lines().map(l -> "          " + l).reduce((a, b) -> a + "\n" + b).orElse("")),
                "apply", "-f", "-");
    }

    /** The IP the VMI reports for its pod network interface, once it does (the launcher pod's). */
    private static String podIpOf(String vmi) throws Exception {
        String ip = Waits.until(vmi + "'s address", Duration.ofMinutes(5), () -> {
            String reported = jvirt.kubectlResult("get", "vmi", vmi, "-o", "jsonpath={.status.interfaces[0].ipAddress}").out().strip();
            return reported.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? reported : null;
        });
        String pod = jvirt.kubectl("get", "pods", "-l", "kubevirt.io/created-by=" + uid(vmi), "-o", "jsonpath={.items[0].status.podIP}").strip();
        assertEquals(pod, ip, "the VMI reports its launcher pod's IP");
        return ip;
    }

    private static String uid(String vmi) throws Exception {
        return jvirt.kubectl("get", "vmi", vmi, "-o", "jsonpath={.metadata.uid}").strip();
    }

    private static String serial(String vmi) throws Exception {
        String pod = jvirt.kubectl("get", "pods", "-l", "kubevirt.io/created-by=" + uid(vmi), "-o", "jsonpath={.items[0].metadata.uid}").strip();
        Path log = Guests.runDirectory(pod).resolve("serial.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }


    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", argv) + ": " + out);
        return out;
    }
}
