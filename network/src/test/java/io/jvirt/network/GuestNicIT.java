package io.jvirt.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.network.binding.BridgeBinding;
import io.jvirt.network.binding.GuestInterface;
import io.jvirt.network.binding.GuestPort;
import io.jvirt.network.binding.MasqueradeBinding;
import io.jvirt.network.binding.PasstBinding;
import io.jvirt.network.cni.CniPlugin;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.dhcp.DhcpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each binding's whole guest path with a real QEMU guest (the demo image, booted from its kernel and initramfs): CNI gives the pod its address, the
 * binding wires the guest's NIC inside the pod's namespace, QEMU runs as uid 107 with every capability dropped and
 * {@code /dev/net/tun} hidden from it (a bind mount of {@code /dev/null} in its own mount namespace), started by
 * {@link FdSpawn}. {@code bridge} and {@code masquerade}: the agent opens the tap in the pod's namespace and hands
 * it over as descriptor 3, the agent's DHCP server gives the lease (its host name is the login prompt's);
 * {@code passt}: passt (uid 107) in the pod's namespace, QEMU on its unix socket. From the host, {@code
 * http://<pod IP>:80/} answers with the guest's host name; the guest's SSH port 22 is reachable only where every
 * port is forwarded (bridge), not where only port 80 is declared.
 */
class GuestNicIT {
    private static final String MAC = "52:54:00:7a:9f:01";
    private static final int QEMU_UID = 107;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final List<GuestPort> PORT_80 = List.of(new GuestPort(80, "TCP"));

    /** A binding, the host name the guest ends up with, and whether the undeclared port 22 reaches the guest. */
    private static final java.util.regex.Pattern PROMPT = java.util.regex.Pattern.compile("(?m)^\\S+ login:");

    enum Nic {
        BRIDGE("vmi-bridge", true), MASQUERADE("vmi-masq", false), PASST("jvirt-demo", false);

        final String hostname;
        final boolean everyPort;

        Nic(String hostname, boolean everyPort) {
            this.hostname = hostname;
            this.everyPort = everyPort;
        }
    }

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    private final TestNamespaces namespaces = new TestNamespaces();
    private PodNetwork network;
    private ProcessHandle qemu;
    private DhcpServer dhcp;
    private PasstBinding.Passt passt;

    @AfterEach
    void cleanUp() throws Exception {
        if (qemu != null) {
            qemu.destroyForcibly();
            qemu.onExit().get(30, TimeUnit.SECONDS);
        }
        if (passt != null) {
            passt.stop();
        }
        if (dhcp != null) {
            dhcp.close();
        }
        if (network != null) {
            network.sweep(Set.of(), id -> null);
        }
        namespaces.close();
        if (network != null) {
            network.removeBridge();
        }
    }

    @ParameterizedTest
    @EnumSource(Nic.class)
    void anUnprivilegedGuestAnswersOnThePodAddress(Nic nic) throws Exception {
        Path demo = Path.of(System.getProperty("jvirt.build.dir", "../build"), "images", "demo").toAbsolutePath();
        assertTrue(Files.isRegularFile(demo.resolve("demo-vmlinux")), "demo guest built (images/demo/build.sh): " + demo);
        network = PodNetwork.open(tmp.resolve("cni"), TestNamespaces.randomHex(4), null, new CniPlugin(List.of(CniPlugin.DEBIAN)));
        NetworkNamespace pod = namespaces.create();
        CniResult result = network.add("pod", pod, List.of());
        String podIp = result.ipv4On("eth0").orElseThrow().ip();

        Path vm = Files.createDirectories(tmp.resolve("vm"));
        UserPrincipalLookupService users = vm.getFileSystem().getUserPrincipalLookupService();
        for (Path p : List.of(tmp, vm)) {
            Files.setOwner(p, users.lookupPrincipalByName(Integer.toString(QEMU_UID)));
        }
        Path serial = vm.resolve("serial.log");
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", "mount --bind /dev/null /dev/net/tun && exec \"$@\"", "hide-tun",
                "setpriv", "--reuid", Integer.toString(QEMU_UID), "--regid", Integer.toString(QEMU_UID), "--clear-groups", "--no-new-privs",
                "--inh-caps=-all", "--bounding-set=-all",
                "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg,tb-size=32", "-m", "128", "-nodefaults", "-display", "none",
                "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", "-serial", "file:" + serial,
                "-kernel", demo.resolve("demo-vmlinux").toString(), "-initrd", demo.resolve("demo-initrd").toString(),
                "-append", "console=ttyS0 quiet", "-device", "virtio-net-pci,netdev=n0,mac=" + MAC));
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"));
        GuestInterface guest = new GuestInterface("tap0", MAC, nic.hostname, List.of("10.0.2.3"));
        if (nic == Nic.PASST) {
            passt = new PasstBinding(PORT_80).start(pod, vm, QEMU_UID, QEMU_UID, guest.dns());
            assertEquals(Integer.toString(QEMU_UID), uid(passt.pid()), "passt runs unprivileged");
            argv.addAll(List.of("-netdev", "stream,id=n0,server=off,addr.type=unix,addr.path=" + passt.socket()));
            qemu = FdSpawn.start(argv, env, vm.resolve("qemu.log"), Map.of()).process();
        } else {
            TapDevice tap = TapDevice.open(pod, guest.device());
            dhcp = DhcpServer.start(pod, (nic == Nic.BRIDGE ? new BridgeBinding() : new MasqueradeBinding(PORT_80)).plug(pod, result, guest));
            try (tap) {
                argv.addAll(List.of("-netdev", "tap,id=n0,fd=3"));
                qemu = FdSpawn.start(argv, env, vm.resolve("qemu.log"), Map.of(3, tap.fd())).process();
            }
            // the agent's copy is closed: the tap lives on in QEMU alone
            assertTrue(pod.run("ip", "link", "show", "dev", guest.device()).contains(guest.device()), "QEMU holds the tap");
        }

        // the prompt's line (HOSTNAME login:), not the banner before it, which names the login too
        TestNamespaces.await("the guest's login prompt", Duration.ofSeconds(180), () -> PROMPT.matcher(read(serial)).find() || !qemu.isAlive());
        assertTrue(qemu.isAlive(), "QEMU ended: " + read(vm.resolve("qemu.log")));
        assertTrue(read(serial).contains(nic.hostname + " login:"), "the guest's host name: " + read(serial));
        assertEquals(Integer.toString(QEMU_UID), uid(qemu.pid()));

        TestNamespaces.await("the guest's HTTP server on the pod address", Duration.ofSeconds(60),
                () -> get("http://" + podIp + ":80/").equals(nic.hostname));
        if (nic.everyPort) {
            try (Socket ssh = new Socket()) {
                ssh.connect(new InetSocketAddress(podIp, 22), 5000);
            }
        } else {
            assertThrows(ConnectException.class, () -> new Socket().connect(new InetSocketAddress(podIp, 22), 5000),
                    "port 22 was not declared");
        }

        if (passt != null) {
            qemu.destroyForcibly();
            qemu.onExit().get(30, TimeUnit.SECONDS);
            long pid = passt.pid();
            TestNamespaces.await("passt ending with QEMU's connection", Duration.ofSeconds(10),
                    () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
            assertFalse(PasstBinding.Passt.running(vm).isPresent());
        }
    }

    private static String uid(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
    }

    private static String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body().strip();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
