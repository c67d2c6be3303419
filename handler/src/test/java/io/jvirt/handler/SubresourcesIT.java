package io.jvirt.handler;

import io.jvirt.handler.pod.PodProcess;
import static io.jvirt.handler.TestFiles.noPodsIn;
import static io.jvirt.handler.VmiStatusView.status;
import static io.jvirt.handler.VmiStatusView.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jvirt.apiserver.ApiServer;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.handler.vmi.VmiAgent;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * {@code subresources.kubevirt.io/v1} end to end: embedded API server, the real controller process,
 * this node agent running real QEMU. vm-cirros.yaml (Halted) is started with
 * {@code kubectl replace --raw .../start}, its serial console and VNC are reached over WebSockets
 * relayed API server → node agent → QEMU's sockets, it is paused and unpaused, stopped, and a
 * second stop and the view role are refused with KubeVirt's answers. The launcher pod's log is read with the stock
 * {@code kubectl logs} (all, {@code --tail=1}, {@code -c}, {@code -f} seeing the Paused line written afterwards and ending
 * with the pod) as admin and view user; a foreign-namespace viewer and a bad token are refused. One QEMU boot.
 */
class SubresourcesIT {
    private static final Path BUILD = Path.of(System.getProperty("jvirt.build.dir", "build"));
    private static final Path EXAMPLES = Path.of(System.getProperty("jvirt.examples.dir", "../examples"));
    private static final String SUB = "/apis/subresources.kubevirt.io/v1/namespaces/default/";

    @Test
    void startConsolePauseVncStopThroughTheSubresources() throws Exception {
        assumeTrue(Files.isDirectory(BUILD.resolve("images/demo/containerdisk")), "demo containerDisk not built (images/demo/build.sh)");
        Path data = Files.createTempDirectory("jvirt-subresources-it");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        SqliteStore store = SqliteStore.open(StoreConfig.defaults(data.resolve("objects.db")));
        ApiServer server = null;
        Process controller = null;
        NodeAgent agent = null;
        KubernetesClient client = null;
        KubernetesClient nodeClient = null;
        KubernetesClient controllerClient = null;
        try {
            server = ApiServer.start(new ApiServer.Config(data.resolve("api"), "127.0.0.1", freePort()), store);
            Path kubeconfig = data.resolve("kubeconfig");
            server.writeKubeconfig(kubeconfig, "admin");
            client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
            Path controllerKubeconfig = data.resolve("controller.kubeconfig");
            server.writeKubeconfig(controllerKubeconfig, ComponentIdentity.CONTROLLER);
            server.writeKubeconfig(data.resolve("node-agent.kubeconfig"), ComponentIdentity.NODE_AGENT);
            server.writeKubeconfig(data.resolve("scheduler.kubeconfig"), ComponentIdentity.SCHEDULER);
            nodeClient = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(data.resolve("node-agent.kubeconfig")))).build();
            controllerClient = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(controllerKubeconfig))).build();
            Api admin = new Api(server, server.tokens().tokenFor("admin").orElseThrow());
            Api viewer = new Api(server, server.addUser("viewer", "view", null));
            controller = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    "io.jvirt.controller.ControllerMain", controllerKubeconfig.toString(),
                    "--scheduler-kubeconfig", data.resolve("scheduler.kubeconfig").toString())
                    .redirectErrorStream(true).redirectOutput(data.resolve("controller.log").toFile()).start();
            agent = new NodeAgent(nodeClient, HandlerConfig.defaults("node-sub", data.resolve("node"), BUILD)
                    .withHeartbeat(Duration.ofSeconds(2)));
            agent.start();
            KubernetesClient c = client;

            kubectl(kubeconfig, "apply", "-f", EXAMPLES.resolve("vm-cirros.yaml").toString());
            Waits.until("VM Stopped", Duration.ofSeconds(60), () -> "Stopped".equals(printableStatus(c)));
            Path empty = Files.writeString(data.resolve("empty.json"), "");
            kubectl(kubeconfig, "replace", "--raw", SUB + "virtualmachines/vm-cirros/start", "-f", empty.toString());
            GenericKubernetesResource vmi;
            try {
                vmi = Waits.until("VMI Running", Duration.ofSeconds(180), () -> {
                    GenericKubernetesResource v = vmi(c);
                    return v != null && "Running".equals(status(v).get("phase")) ? v : null;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nVM: " + c.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine")
                        .inNamespace("default").withName("vm-cirros").get() + "\nVMI: " + vmi(c) + "\npods: "
                        + c.pods().inNamespace("default").list().getItems() + "\ncontroller log: " + Files.readString(data.resolve("controller.log"))
                        + "\nevents: " + c.v1().events().inNamespace("default").list().getItems().stream()
                                .map(x -> x.getReason() + ": " + x.getMessage()).toList(), e);
            }
            assertEquals(409, admin.send("PUT", SUB + "virtualmachines/vm-cirros/start").statusCode());

            try (Stream console = Stream.open(admin, SUB + "virtualmachineinstances/vm-cirros/console")) {
                Waits.until("login: on the console WebSocket", Duration.ofSeconds(150), () -> {
                    console.send("\r");
                    return console.text().contains("login:");
                });
            }

            String pod = client.pods().inNamespace("default").withLabel("kubevirt.io/created-by", vmi.getMetadata().getUid())
                    .list().getItems().getFirst().getMetadata().getName();
            Path computeLog = data.resolve("node/pods").resolve(client.pods().inNamespace("default").withName(pod).get().getMetadata().getUid())
                    .resolve("compute.log");
            Kubectl all = kubectlRun(kubeconfig, "logs", pod);
            assertEquals(0, all.exit(), all.out());
            assertTrue(all.out().contains(PodProcess.AGENT_PREFIX + "RUNNING: started"), "the agent's lines for the VM: " + all.out());
            assertTrue(Files.readString(computeLog).startsWith(all.out()), "kubectl logs prints the pod's compute.log");
            Kubectl last = kubectlRun(kubeconfig, "logs", pod, "-c", "compute", "--tail=1");
            assertEquals(0, last.exit(), last.out());
            assertEquals(1, last.out().lines().count(), last.out());
            assertTrue(all.out().endsWith(last.out()), "--tail=1 is the last line: " + last.out());
            Kubectl wrongContainer = kubectlRun(kubeconfig, "logs", pod, "-c", "sidecar");
            assertTrue(wrongContainer.exit() != 0 && wrongContainer.out().contains("container sidecar is not valid for pod " + pod),
                    wrongContainer.out());
            Path viewerConfig = data.resolve("viewer.kubeconfig");
            server.writeKubeconfig(viewerConfig, "viewer");
            Kubectl asViewer = kubectlRun(viewerConfig, "logs", pod, "--tail=1");
            assertEquals(0, asViewer.exit(), "view grants get pods/log: " + asViewer.out());
            client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("elsewhere")
                    .endMetadata().build()).create();
            Api foreignViewer = new Api(server, server.addUser("foreign-viewer", "view", "elsewhere"));
            Path foreignConfig = data.resolve("foreign.kubeconfig");
            server.writeKubeconfig(foreignConfig, "foreign-viewer");
            Kubectl foreign = kubectlRun(foreignConfig, "logs", pod);
            assertTrue(foreign.exit() != 0 && foreign.out().contains("Forbidden"), foreign.out());
            HttpResponse<String> foreignLog = foreignViewer.send("GET", "/api/v1/namespaces/default/pods/" + pod + "/log");
            assertEquals(403, foreignLog.statusCode(), foreignLog.body());
            assertTrue(foreignLog.body().contains("cannot get resource \\\"pods/log\\\""), foreignLog.body());
            HttpResponse<String> viewerLog = viewer.send("GET", "/api/v1/namespaces/default/pods/" + pod + "/log?tailLines=1");
            assertEquals(200, viewerLog.statusCode(), viewerLog.body());
            assertEquals(last.out(), viewerLog.body());
            Kubectl anonymous = kubectlRun(viewerConfig, "--token=not-a-token", "logs", pod);
            assertTrue(anonymous.exit() != 0 && anonymous.out().contains("Unauthorized"), anonymous.out());

            Follow follow = Follow.start(kubeconfig, "logs", "-f", "--tail=1", pod);
            Waits.until("kubectl logs -f prints the last line", Duration.ofSeconds(30), () -> follow.out().equals(last.out()));
            assertEquals(200, admin.send("PUT", SUB + "virtualmachineinstances/vm-cirros/pause").statusCode());
            Waits.until("Paused condition", Duration.ofSeconds(30), () -> "True".equals(condition(vmi(c), "Paused")));
            Waits.until("kubectl logs -f prints the agent's Paused line written afterwards", Duration.ofSeconds(30),
                    () -> follow.out().contains(PodProcess.AGENT_PREFIX + "PAUSED: paused by request"));
            assertTrue(follow.process().isAlive(), "-f goes on while the pod runs");
            follow.process().destroy();
            HttpResponse<String> again = admin.send("PUT", SUB + "virtualmachineinstances/vm-cirros/pause");
            assertEquals(409, again.statusCode(), again.body());
            assertTrue(again.body().contains("VMI is already paused"), again.body());
            assertEquals(200, admin.send("PUT", SUB + "virtualmachineinstances/vm-cirros/unpause").statusCode());
            Waits.until("Paused condition gone", Duration.ofSeconds(30), () -> !"True".equals(condition(vmi(c), "Paused")));
            HttpResponse<String> notPaused = admin.send("PUT", SUB + "virtualmachineinstances/vm-cirros/unpause");
            assertEquals(409, notPaused.statusCode(), notPaused.body());
            assertTrue(notPaused.body().contains("VMI is not paused"), notPaused.body());

            try (Stream vnc = Stream.open(admin, SUB + "virtualmachineinstances/vm-cirros/vnc")) {
                Waits.until("RFB greeting", Duration.ofSeconds(20), () -> vnc.text().startsWith("RFB 003.008"));
            }

            assertEquals(403, viewer.send("PUT", SUB + "virtualmachines/vm-cirros/stop").statusCode());
            assertEquals(403, viewer.send("GET", SUB + "virtualmachineinstances/vm-cirros/console").statusCode());
            assertEquals(403, viewer.send("PUT", SUB + "virtualmachineinstances/vm-cirros/pause").statusCode());

            String podUid = client.pods().inNamespace("default").withLabel("kubevirt.io/created-by", vmi.getMetadata().getUid())
                    .list().getItems().getFirst().getMetadata().getUid();
            List<Long> pids = agent.pods().scope().cgroup(podUid).pids();
            Follow untilTheEnd = Follow.start(kubeconfig, "logs", "-f", pod);
            Waits.until("kubectl logs -f streams", Duration.ofSeconds(30), () -> untilTheEnd.out().contains(PodProcess.AGENT_PREFIX + "PAUSED: paused by request"));
            assertEquals(202, admin.send("PUT", SUB + "virtualmachines/vm-cirros/stop").statusCode());
            Waits.until("VM Stopped again", Duration.ofSeconds(90), () -> "Stopped".equals(printableStatus(c)));
            Waits.until("QEMU gone", Duration.ofSeconds(60),
                    () -> pids.stream().noneMatch(p -> Files.exists(Path.of("/proc/" + p))));
            assertTrue(untilTheEnd.process().waitFor(60, TimeUnit.SECONDS), "kubectl logs -f ends when the pod ends");
            assertEquals(0, untilTheEnd.process().exitValue(), untilTheEnd.out());
            HttpResponse<String> stopAgain = admin.send("PUT", SUB + "virtualmachines/vm-cirros/stop");
            assertEquals(409, stopAgain.statusCode(), stopAgain.body());
            assertTrue(stopAgain.body().contains("VM is not running"), stopAgain.body());
            assertEquals(404, admin.send("PUT", SUB + "virtualmachineinstances/vm-cirros/pause").statusCode(), "the VMI is gone");
        } finally {
            if (client != null) {
                client.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine").inNamespace("default").delete();
                client.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").delete();
                for (var pod : controllerClient.pods().inNamespace("default").list().getItems()) {
                    controllerClient.pods().resource(pod).delete(); // one by one: the controller's role has no deletecollection
                }
                Waits.until("pods cleaned up", Duration.ofSeconds(60), () -> noPodsIn(data.resolve("node/pods")));
            }
            if (agent != null) agent.close();
            if (controller != null) {
                controller.destroy();
                controller.waitFor(20, TimeUnit.SECONDS);
                controller.destroyForcibly();
            }
            if (client != null) client.close();
            if (nodeClient != null) nodeClient.close();
            if (controllerClient != null) controllerClient.close();
            if (server != null) server.close();
            store.close();
            try (java.util.stream.Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** HTTPS to the embedded server with one bearer token. */
    private record Api(HttpClient http, String base, String token) {
        Api(ApiServer server, String token) throws Exception {
            this(HttpClient.newBuilder().sslContext(trusting(server.pki().caCert())).connectTimeout(Duration.ofSeconds(10)).build(),
                    server.url(), token);
        }

        HttpResponse<String> send(String method, String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** A console/vnc WebSocket as virtctl opens it (subprotocol plain.kubevirt.io, binary frames). */
    private static final class Stream implements AutoCloseable, WebSocket.Listener {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private WebSocket ws;

        static Stream open(Api api, String path) throws Exception {
            Stream s = new Stream();
            s.ws = api.http().newWebSocketBuilder().header("Authorization", "Bearer " + api.token()).subprotocols("plain.kubevirt.io")
                    .buildAsync(URI.create(api.base().replace("https://", "wss://") + path), s).get(30, TimeUnit.SECONDS);
            assertEquals("plain.kubevirt.io", s.ws.getSubprotocol());
            return s;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (received) {
                received.writeBytes(b);
            }
            w.request(1);
            return null;
        }

        void send(String s) {
            ws.sendBinary(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), true).join();
        }

        String text() {
            synchronized (received) {
                return received.toString(StandardCharsets.ISO_8859_1);
            }
        }

        @Override
        public void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    private static SSLContext trusting(Path caCert) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void kubectl(Path kubeconfig, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "kubectl " + String.join(" ", args) + ": " + out);
    }

    private record Kubectl(int exit, String out) {}

    /** Runs the stock kubectl to its end; exit code and output (stdout and stderr). */
    private static Kubectl kubectlRun(Path kubeconfig, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Kubectl(p.exitValue(), out);
    }

    /** A kubectl that keeps running (logs -f); its output so far. */
    private record Follow(Process process, ByteArrayOutputStream received) {
        static Follow start(Path kubeconfig, String... args) throws Exception {
            List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
            argv.addAll(List.of(args));
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            Follow f = new Follow(p, new ByteArrayOutputStream());
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[4096];
                try (InputStream in = p.getInputStream()) {
                    int n;
                    while ((n = in.read(buf)) > 0) f.received().write(buf, 0, n);
                } catch (java.io.IOException e) {
                    // process gone
                }
            });
            return f;
        }

        String out() {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static GenericKubernetesResource vmi(KubernetesClient c) {
        return c.genericKubernetesResources(VmiAgent.VMI).inNamespace("default").withName("vm-cirros").get();
    }

    private static String printableStatus(KubernetesClient c) {
        GenericKubernetesResource vm = c.genericKubernetesResources("kubevirt.io/v1", "VirtualMachine").inNamespace("default")
                .withName("vm-cirros").get();
        return vm == null ? null : String.valueOf(status(vm).get("printableStatus"));
    }
}
