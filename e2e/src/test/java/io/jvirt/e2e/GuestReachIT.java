package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's reachability acceptance with a real guest on the pod network (bridge binding, the default): {@code virtctl
 * expose vmi x --port=8080 --target-port=80 --type=NodePort} answers from the host on the node port and the cluster IP
 * with the guest's host name (the demo guest's HTTP server); {@code virtctl port-forward vmi/x 8081:80} then curl on
 * localhost; {@code virtctl ssh -i KEY root@vmi/x --command hostname} prints the guest's name (the key from cloud-init's
 * {@code ssh_authorized_keys}, the system's ssh through {@code port-forward --stdio}).
 */
class GuestReachIT {
    private static final String NAME = "vmi-reach";
    private static JvirtUp jvirt;
    private static Path key;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.start();
        Path dir = Files.createTempDirectory("jvirt-reach");
        key = dir.resolve("id_ed25519");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).redirectErrorStream(true).start();
        assertEquals(0, keygen.waitFor());
        String publicKey = Files.readString(dir.resolve("id_ed25519.pub")).strip();
        jvirt.kubectlWithInput("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: %s
                  labels: {app: reach}
                spec:
                  domain:
                    memory: {guest: 128Mi}
                    devices:
                      disks:
                        - {name: containerdisk, disk: {bus: virtio}}
                        - {name: cloudinitdisk, disk: {bus: virtio}}
                  volumes:
                    - name: containerdisk
                      containerDisk: {image: registry:5000/kubevirt/cirros-container-disk-demo:devel}
                    - name: cloudinitdisk
                      cloudInitNoCloud:
                        userData: |
                          #cloud-config
                          hostname: reach-guest
                          ssh_authorized_keys:
                            - %s
                  terminationGracePeriodSeconds: 0
                """.formatted(NAME, publicKey), "apply", "-f", "-");
        Waits.until("the guest's address on the pod network", Duration.ofMinutes(5), () -> {
            String ip = jvirt.kubectlResult("get", "vmi", NAME, "-o", "jsonpath={.status.interfaces[0].ipAddress}").out().strip();
            return ip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? ip : null;
        });
        Waits.until("the guest's HTTP server", Duration.ofMinutes(5), () -> {
            String ip = jvirt.kubectl("get", "vmi", NAME, "-o", "jsonpath={.status.interfaces[0].ipAddress}").strip();
            return Guests.http("http://" + ip + ":80/").contains("reach-guest");
        });
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) jvirt.close();
    }

    @Test
    void exposedAsNodePortTheGuestAnswersOnTheNodePortAndTheClusterIp() throws Exception {
        JvirtUp.Result exposed = jvirt.virtctl("expose", "vmi", NAME, "--name", "reach", "--port=8080", "--target-port=80", "--type=NodePort");
        assertEquals(0, exposed.exit(), exposed.out());
        String clusterIp = jvirt.kubectl("get", "svc", "reach", "-o", "jsonpath={.spec.clusterIP}").strip();
        String nodePort = jvirt.kubectl("get", "svc", "reach", "-o", "jsonpath={.spec.ports[0].nodePort}").strip();
        Waits.until("the node port", Duration.ofSeconds(60), () -> Guests.http("http://127.0.0.1:" + nodePort + "/").contains("reach-guest"));
        Waits.until("the cluster IP", Duration.ofSeconds(60), () -> Guests.http("http://" + clusterIp + ":8080/").contains("reach-guest"));
    }

    @Test
    void portForwardReachesTheGuestOnLocalhost() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process forward = new ProcessBuilder(JvirtUp.ROOT.resolve("virtctl").toString(), "--kubeconfig", jvirt.kubeconfig().toString(),
                "port-forward", "vmi/" + NAME, port + ":80").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Waits.until("curl through the forward", Duration.ofSeconds(60), () -> Guests.http("http://127.0.0.1:" + port + "/").contains("reach-guest"));
        } finally {
            forward.descendants().forEach(ProcessHandle::destroy);
            forward.destroy();
            forward.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sshRunsHostnameInTheGuest() throws Exception {
        JvirtUp.Result ssh = jvirt.virtctl("ssh", "-i", key.toString(), "root@vmi/" + NAME, "-t", "-oStrictHostKeyChecking=no",
                "-t", "-oUserKnownHostsFile=/dev/null", "-t", "-oBatchMode=yes", "--command", "hostname");
        assertEquals(0, ssh.exit(), ssh.out());
        assertTrue(List.of(ssh.out().split("\n")).contains("reach-guest"), ssh.out());
    }

}
