package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's acceptance: {@code ./virtctl} (the repository's command, built on first use) against
 * {@code ./jvirt up}: lifecycle commands as {@code kubectl get vm} shows them, the console through a
 * pseudo-terminal ({@code script}), VNC proxy and screenshot, {@code create vm | kubectl apply}, and the
 * errors for a missing VM and a view-only user.
 */
class VirtctlIT {
    private static JvirtUp jvirt;
    private static Api api;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.start();
        api = Api.of(jvirt.kubeconfig());
        String manifest = Files.readString(JvirtUp.EXAMPLES.resolve("vm-cirros.yaml"));
        jvirt.kubectlWithInput(manifest.replace("vm-cirros", "vm-console").replace("runStrategy: Halted", "runStrategy: Always"), "apply", "-f", "-");
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) {
            jvirt.close();
        }
    }

    @Test
    void startPauseUnpauseRestartStopChangeKubectlGetVm() throws Exception {
        jvirt.kubectl("apply", "-f", JvirtUp.EXAMPLES.resolve("vm-cirros.yaml").toString());
        awaitVmColumn("vm-cirros", "Stopped");
        assertEquals("VM vm-cirros was scheduled to start\n", ok("start", "vm-cirros"));
        awaitVmColumn("vm-cirros", "Running");
        JvirtUp.Result again = jvirt.virtctl("start", "vm-cirros");
        assertEquals(1, again.exit());
        assertTrue(again.out().contains("Error starting VirtualMachine") && again.out().contains("VM is already running"), again.out());

        ok("pause", "vm", "vm-cirros");
        awaitVmColumn("vm-cirros", "Paused");
        ok("unpause", "vm", "vm-cirros");
        awaitVmColumn("vm-cirros", "Running");

        String before = api.vmi("vm-cirros").path("metadata").path("uid").asText();
        ok("restart", "vm-cirros");
        Waits.until("a new VMI after virtctl restart", Duration.ofSeconds(120), () -> {
            JsonNode v = api.vmi("vm-cirros");
            return v != null && !before.equals(v.path("metadata").path("uid").asText()) && "Running".equals(v.path("status").path("phase").asText());
        });
        awaitVmColumn("vm-cirros", "Running");
        ok("stop", "vm-cirros");
        awaitVmColumn("vm-cirros", "Stopped");
        jvirt.kubectl("delete", "vm", "vm-cirros");
    }

    @Test
    void consoleThroughAPseudoTerminalLogsInAndRunsHostname() throws Exception {
        awaitRunning("vm-console");
        String command = JvirtUp.ROOT.resolve("virtctl") + " --kubeconfig " + jvirt.kubeconfig() + " console vm-console";
        Process p = new ProcessBuilder("script", "-qfec", command, "/dev/null").redirectErrorStream(true).start();
        try (Screen screen = new Screen(p.getInputStream()); OutputStream keys = p.getOutputStream()) {
            screen.await("Successfully connected to vm-console console", Duration.ofSeconds(60));
            Waits.until("login: on the console", Duration.ofSeconds(120), () -> {
                int from = screen.length();
                type(keys, "\r");
                Thread.sleep(1000);
                return screen.indexOf("login:", from) >= 0;
            });
            int from = screen.length();
            type(keys, "root\r");
            screen.await("Password:", from, Duration.ofSeconds(30));
            type(keys, "jvirt\r");
            screen.await("# ", from, Duration.ofSeconds(30));
            from = screen.length();
            type(keys, "hostname\r");
            screen.await("\nvm-console", from, Duration.ofSeconds(30));
            type(keys, "\u001d"); // Ctrl+]
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "Ctrl+] leaves the console: " + screen.text());
            assertEquals(0, p.exitValue(), screen.text());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void vncProxyOnlyServesRfbAndScreenshotWritesAPng() throws Exception {
        awaitRunning("vm-console");
        Process proxy = new ProcessBuilder(JvirtUp.ROOT.resolve("virtctl").toString(), "--kubeconfig", jvirt.kubeconfig().toString(),
                "vnc", "vm-console", "--proxy-only").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String line = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertNotNull(line, "virtctl vnc --proxy-only printed nothing");
            assertTrue(line.matches("\\{\"port\":\\d+}"), line);
            int port = Integer.parseInt(line.replaceAll("\\D", ""));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] version = new byte[12];
                in.readFully(version);
                assertEquals("RFB 003.008\n", new String(version, StandardCharsets.US_ASCII));
                s.getOutputStream().write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
                int types = in.readUnsignedByte();
                assertTrue(types > 0, "the server offers security types");
                boolean none = false;
                for (int i = 0; i < types; i++) {
                    none |= in.readUnsignedByte() == 1;
                }
                assertTrue(none, "security type None offered");
                s.getOutputStream().write(1);
                assertEquals(0, in.readInt(), "security handshake succeeded");
            }
        } finally {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
        }

        Path png = jvirt.home().resolve("screen.png");
        ok("vnc", "screenshot", "vm-console", "--file", png.toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "a readable PNG");
        assertTrue(image.getWidth() >= 640 && image.getHeight() >= 400, image.getWidth() + "x" + image.getHeight());
        long lit = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                if ((image.getRGB(x, y) & 0xffffff) != 0) {
                    lit++;
                }
            }
        }
        assertTrue(lit > 100, "the screen shows text (the guest's boot output), not an empty frame: " + lit + " lit pixels");
    }

    @Test
    void createVmPipedToKubectlApplyGivesAVmThatBoots() throws Exception {
        String manifest = ok("create", "vm", "--name", "vm-created", "--memory", "128Mi",
                "--volume-containerdisk", "src:quay.io/kubevirt/cirros-container-disk-demo:latest");
        assertTrue(manifest.contains("kind: VirtualMachine") && manifest.contains("runStrategy: Always"), manifest);
        jvirt.kubectlWithInput(manifest, "apply", "-f", "-");
        awaitRunning("vm-created");
        try (Api.Stream console = api.stream("vm-created", "console")) {
            console.awaitLogin(Duration.ofSeconds(120));
        }
        jvirt.kubectl("delete", "vm", "vm-created");
    }

    @Test
    void missingVmAndViewOnlyUserGiveClearErrors() throws Exception {
        JvirtUp.Result missing = jvirt.virtctl("start", "no-such-vm");
        assertEquals(1, missing.exit());
        assertEquals("Error starting VirtualMachine virtualmachines.kubevirt.io \"no-such-vm\" not found", missing.out().lines()
                .filter(l -> l.startsWith("Error")).findFirst().orElse(missing.out()));

        JvirtUp.Result made = jvirt.jvirt("kubeconfig", "viewer", "view");
        assertEquals(0, made.exit(), made.out());
        Path viewer = Files.writeString(jvirt.home().resolve("viewer.kubeconfig"), made.out());
        JvirtUp.Result denied = run(JvirtUp.ROOT.resolve("virtctl").toString(), "--kubeconfig", viewer.toString(), "stop", "vm-console");
        assertEquals(1, denied.exit());
        assertTrue(denied.out().contains("Error stopping VirtualMachine") && denied.out().contains("forbidden")
                && denied.out().contains("lacks permission"), denied.out());
        JvirtUp.Result console = run(JvirtUp.ROOT.resolve("virtctl").toString(), "--kubeconfig", viewer.toString(), "console", "vm-console");
        assertEquals(1, console.exit());
        assertTrue(console.out().contains("forbidden"), console.out());
        assertNotEquals("Stopped", api.vm("vm-console").path("status").path("printableStatus").asText(), "nothing changed");
    }

    private static JvirtUp.Result run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new JvirtUp.Result(p.exitValue(), out);
    }

    private static String ok(String... args) throws Exception {
        JvirtUp.Result r = jvirt.virtctl(args);
        if (r.exit() != 0) {
            throw new AssertionError("virtctl " + String.join(" ", args) + " exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    private static void awaitVmColumn(String vm, String status) throws Exception {
        Waits.until("kubectl get vm " + vm + " shows " + status, Duration.ofSeconds(150),
                () -> jvirt.kubectl("get", "vm", vm).matches("(?s).*\\n" + vm + "\\s+\\S+\\s+" + status + "\\s.*"));
    }

    private static void awaitRunning(String vmi) throws Exception {
        Waits.until(vmi + " Running", Duration.ofSeconds(150), () -> {
            JsonNode v = api.vmi(vmi);
            return v != null && "Running".equals(v.path("status").path("phase").asText());
        });
    }

    private static void type(OutputStream keys, String text) throws Exception {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** Everything a process printed, read on a thread. */
    private static final class Screen implements AutoCloseable {
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        private final Thread reader;

        Screen(InputStream in) {
            reader = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[4096];
                try {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        synchronized (seen) {
                            seen.write(buf, 0, n);
                        }
                    }
                } catch (java.io.IOException ended) {
                    // the process ended
                }
            });
        }

        String text() {
            synchronized (seen) {
                return seen.toString(StandardCharsets.ISO_8859_1).replace("\r", "");
            }
        }

        int length() {
            return text().length();
        }

        int indexOf(String s, int from) {
            return text().indexOf(s, from);
        }

        void await(String s, Duration timeout) throws Exception {
            await(s, 0, timeout);
        }

        void await(String s, int from, Duration timeout) throws Exception {
            try {
                Waits.until("'" + s.strip() + "' on the terminal", timeout, () -> indexOf(s, from) >= 0);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the terminal shows: " + text(), e);
            }
        }

        @Override
        public void close() throws Exception {
            reader.join(1000);
        }
    }
}
