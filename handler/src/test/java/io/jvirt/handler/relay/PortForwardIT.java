package io.jvirt.handler.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jvirt.handler.CniPods;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.handler.vmi.PodGuests;
import io.jvirt.handler.vmi.VmiAgent;
import io.jvirt.network.NetworkNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt's {@code portforward} subresource end to end except the guest: the real API server (RBAC, the WebSocket
 * upgrade), the node agent's relay with its real {@link PodGuests} lookup (the stored VMI's interface and reported
 * address), pods on a network set up by the network driver with the real CNI plugins (a bridge-bound guest reached at
 * its pod address, a masquerade guest at 10.0.2.2, which exists only inside its pod's namespace, so the connection is
 * made from in there), and the real virtctl ({@code port-forward}, {@code --stdio}, {@code ssh} with the system's OpenSSH client)
 * as a process. The "guest" is a busybox httpd and a Debian dropbear listening on the pod's address inside the
 * namespace. A guest booted on the pod network is e2e's part.
 */
class PortForwardIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE = "node-pf";
    /** 16 MiB of text: a transfer far larger than any buffer on the way. */
    private static final String BIG = "0123456789abcdef".repeat(1 << 20);

    private static EmbeddedApi api;
    private static Path dir;
    private static CniPods pods;
    private static NetworkNamespace pod;
    private static String podIp;
    private static RelayServer relay;

    @BeforeAll
    static void setUp() throws Exception {
        api = EmbeddedApi.start();
        dir = Files.createTempDirectory("jvirt-pf-it");
        pods = new CniPods(dir);
        CniPods.Pod guest = pods.add("pf-pod");
        pod = guest.netns();
        podIp = guest.ip();
        Path www = pods.httpServer(guest, 80, "guest of vmi-pf");
        Files.writeString(www.resolve("big.txt"), BIG);

        api.client.load(new java.io.ByteArrayInputStream("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata: {name: vmi-pf, namespace: default}
                spec:
                  runStrategy: Halted
                  template:
                    spec:
                      domain: {devices: {}, resources: {requests: {memory: 64Mi}}}
                """.getBytes(StandardCharsets.UTF_8))).create();
        // a masquerade guest: 10.0.2.2 exists only inside its pod's namespace (here on its loopback, standing in for the guest behind the tap)
        CniPods.Pod masqueraded = pods.add("pf-masq");
        masqueraded.netns().run("ip", "addr", "add", "10.0.2.2/32", "dev", "lo");
        pods.start("httpd-masq.log", List.of("ip", "netns", "exec", masqueraded.netns().name(), "busybox", "httpd", "-f", "-p", "10.0.2.2:80",
                "-h", Files.createDirectories(dir.resolve("www-masq")).toString()));
        Files.writeString(dir.resolve("www-masq/index.html"), "behind masquerade");

        Map<String, String> netnsOfVmi = Map.of(vmi("vmi-pf", "bridge", podIp), pod.name(),
                vmi("vmi-masq", "masquerade", masqueraded.ip()), masqueraded.netns().name());
        relay = new RelayServer((ns, name) -> Optional.empty(), (ns, name, podUid) -> Optional.empty(), null,
                new PodGuests(api.nodeAgent, vmiUid -> Optional.ofNullable(netnsOfVmi.get(vmiUid))));
        relay.publish(api.nodeAgent, NODE);
    }

    /** A VMI Running on this node with its pod network interface bound by {@code binding}, reported at {@code ip}; its uid. */
    private static String vmi(String name, String binding, String ip) throws Exception {
        GenericKubernetesResource vmi = Serialization.unmarshal("""
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"%s","namespace":"default"},
                 "spec":{"domain":{"devices":{"interfaces":[{"name":"default","%s":{}}]},"resources":{"requests":{"memory":"64Mi"}}},
                         "networks":[{"name":"default","pod":{}}]}}""".formatted(name, binding), GenericKubernetesResource.class);
        vmi = api.client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").resource(vmi).create();
        vmi.setAdditionalProperty("status", JSON.readValue("""
                {"phase":"Running","nodeName":"%s","interfaces":[{"name":"default","ipAddress":"%s"}]}""".formatted(NODE, ip), Object.class));
        api.nodeAgent.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").resource(vmi).updateStatus();
        return vmi.getMetadata().getUid();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (relay != null) relay.close();
        if (pods != null) pods.close();
        if (api != null) api.close();
    }

    @Test
    void localPortsOfVmiAndVmReachTheGuestsPortInsideThePodNamespace() throws Exception {
        int vmiPort = freePort();
        int vmPort = freePort();
        pods.start("pf-vmi.log", virtctl(api.kubeconfig(), "port-forward", "vmi/vmi-pf", vmiPort + ":80"));
        pods.start("pf-vm.log", virtctl(api.kubeconfig(), "port-forward", "vm/vmi-pf/default", vmPort + ":80"));
        for (int port : List.of(vmiPort, vmPort)) {
            CniPods.await("curl through port " + port, () -> CniPods.get("http://127.0.0.1:" + port + "/").equals("guest of vmi-pf"));
            for (int i = 0; i < 5; i++) {
                assertEquals("guest of vmi-pf", CniPods.get("http://127.0.0.1:" + port + "/"), "connection " + i + " through " + port);
            }
        }
    }

    @Test
    void aMasqueradeGuestIsReachedFromInsideItsPodsNamespace() throws Exception {
        Run masq = run("GET / HTTP/1.0\r\n\r\n", virtctl(api.kubeconfig(), "port-forward", "--stdio=true", "vmi/vmi-masq", "80"));
        assertEquals(0, masq.code(), masq.err());
        assertTrue(masq.out().endsWith("behind masquerade"), "10.0.2.2:80 inside the pod's namespace answered: " + masq.out());
    }

    @Test
    void stdioCarriesOneConnectionAndARefusedPortSaysWhy() throws Exception {
        Run ok = run("GET / HTTP/1.0\r\n\r\n", virtctl(api.kubeconfig(), "port-forward", "--stdio=true", "vmi/vmi-pf", "80"));
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("HTTP/1.") && ok.out().endsWith("guest of vmi-pf"), ok.out());

        Run big = run("GET /big.txt HTTP/1.0\r\n\r\n", virtctl(api.kubeconfig(), "port-forward", "--stdio=true", "vmi/vmi-pf", "80"));
        assertEquals(0, big.code(), big.err());
        assertTrue(big.out().endsWith("\r\n\r\n" + BIG), "16 MiB through the forward intact: " + big.out().length() + " characters");

        Run refused = run("", virtctl(api.kubeconfig(), "port-forward", "--stdio=true", "vmi/vmi-pf", "81"));
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.err().contains("cannot connect to port 81 of the VMI's guest: Connection refused"), refused.err());

        Run missing = run("", virtctl(api.kubeconfig(), "port-forward", "--stdio=true", "vmi/no-such-vmi", "80"));
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("not found"), missing.err());
    }

    @Test
    void theViewRoleMayNotForwardAndEditMay() throws Exception {
        Run view = run("", virtctl(api.kubeconfigFor("pf-viewer", "view"), "port-forward", "--stdio=true", "vmi/vmi-pf", "80"));
        assertEquals(1, view.code());
        assertTrue(view.err().contains("cannot get resource \"virtualmachineinstances/portforward\""), view.err());
        Run vm = run("", virtctl(api.kubeconfigFor("pf-viewer2", "view"), "port-forward", "--stdio=true", "vm/vmi-pf", "80"));
        assertTrue(vm.err().contains("cannot get resource \"virtualmachines/portforward\""), vm.err());

        Run edit = run("GET / HTTP/1.0\r\n\r\n", virtctl(api.kubeconfigFor("pf-editor", "edit"), "port-forward", "--stdio=true", "vmi/vmi-pf", "80"));
        assertEquals(0, edit.code(), edit.err());
        assertTrue(edit.out().endsWith("guest of vmi-pf"), edit.out());
    }

    @Test
    void virtctlSshRunsACommandThroughTheForward() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("ssh"));
        Path key = keys.resolve("id_ed25519");
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        // dropbear reads root's ~/.ssh: in a mount namespace of its own, a home made here stands in for /root
        Path home = Files.createDirectories(dir.resolve("home/.ssh"));
        Files.copy(keys.resolve("id_ed25519.pub"), home.resolve("authorized_keys"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(home.getParent(), PosixFilePermissions.fromString("rwx------"));
        Path hostKey = keys.resolve("host_key");
        exec(List.of("dropbearkey", "-t", "ed25519", "-f", hostKey.toString()));
        pods.start("dropbear.log", List.of("ip", "netns", "exec", pod.name(), "unshare", "-m", "sh", "-c",
                "mount --bind " + home.getParent() + " /root && exec dropbear -F -E -s -p " + podIp + ":2222 -r " + hostKey));
        CniPods.await("dropbear in the pod's namespace", () -> pod.run("sh", "-c", "busybox nc -w 2 " + podIp + " 2222 </dev/null || true").startsWith("SSH-2.0"));

        Run ssh = run("", virtctl(api.kubeconfig(), "ssh", "-i", key.toString(), "-p", "2222", "root@vmi/vmi-pf",
                "-t", "-oStrictHostKeyChecking=no", "-t", "-oUserKnownHostsFile=/dev/null", "-t", "-oBatchMode=yes",
                "--command", "ip -4 -o addr show dev eth0"));
        assertEquals(0, ssh.code(), ssh.err());
        assertTrue(ssh.out().contains(podIp + "/"), "the command ran in the pod's namespace: " + ssh.out());

        Path other = keys.resolve("other");
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()));
        Run refused = run("", virtctl(api.kubeconfig(), "ssh", "-i", other.toString(), "-p", "2222", "root@vmi/vmi-pf",
                "-t", "-oStrictHostKeyChecking=no", "-t", "-oUserKnownHostsFile=/dev/null", "-t", "-oBatchMode=yes", "--command", "true"));
        assertTrue(refused.code() != 0 && refused.err().contains("Permission denied"), refused.err());
    }

    private static List<String> virtctl(Path kubeconfig, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.jvirt.virtctl.VirtctlMain", "--kubeconfig", kubeconfig.toString()));
        argv.addAll(List.of(args));
        return argv;
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String input, List<String> argv) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(argv + " did not end: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static void exec(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), argv + ": " + out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
