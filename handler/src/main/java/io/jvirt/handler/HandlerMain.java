package io.jvirt.handler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jvirt.registry.RegistryConfig;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * virt-handler: {@code HandlerMain [config.properties]}. Talks to the API server named by the usual
 * kubeconfig ({@code KUBECONFIG}, {@code ~/.kube/config} or in-cluster). Settings (all optional):
 * {@code nodeName} (hostname), {@code dataDir} ({@link #jvirtHome()}/node),
 * {@code memoryReserveMiB} (256), {@code maxPods} (110), {@code heartbeatSeconds} (10),
 * {@code buildDir} (demo containerDisk),
 * {@code useEmulation} (false), {@code dualStackPodNetwork} (false: IPv4 only; true adds an IPv6 address per pod), {@code qemuUser} (107:107, KubeVirt's qemu user; used when the agent is root), {@code mirror.<image name>=<OCI layout dir>} (escape a {@code :} in the
 * name as {@code \:}, Java properties syntax), {@code registryMirror.<registry[/repository prefix]>=<registry[/prefix]>}
 * (pull those names from another registry, e.g. {@code registryMirror.registry\:5000=127.0.0.1\:5000}) and
 * {@code insecureRegistries} (comma-separated {@code host:port}s spoken to over plain HTTP; loopback always is). Only wiring here.
 */
public final class HandlerMain {
    private HandlerMain() {}

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        if (args.length > 0) {
            try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
                p.load(r);
            }
        }
        HandlerConfig config = config(p);
        KubernetesClient client = new KubernetesClientBuilder().build();
        NodeAgent agent = new NodeAgent(client, config);
        agent.start();
        System.getLogger(HandlerMain.class.getName()).log(System.Logger.Level.INFO,
                "serving node " + config.nodeName() + " (data in " + config.dataDir() + ")");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            client.close();
            stop.countDown();
        }));
        stop.await();
    }

    /**
     * {@code $JVIRT_HOME}, else {@code /var/lib/jvirt} for root (below directories anyone may search, so QEMU's
     * unprivileged user reaches its disks) and {@code ~/.jvirt} for other users.
     */
    public static Path jvirtHome() throws IOException {
        String set = System.getenv("JVIRT_HOME");
        if (set != null && !set.isBlank()) {
            return Path.of(set).toAbsolutePath();
        }
        return NodeAgent.runsAsRoot() ? Path.of("/var/lib/jvirt") : Path.of(System.getProperty("user.home"), ".jvirt");
    }

    public static HandlerConfig config(Properties p) throws IOException {
        String home = jvirtHome().toString();
        Map<String, Path> mirrors = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("mirror.")) {
                mirrors.put(key.substring("mirror.".length()), Path.of(p.getProperty(key)));
            }
        }
        return new HandlerConfig(
                p.getProperty("nodeName", InetAddress.getLocalHost().getHostName()),
                Path.of(p.getProperty("dataDir", home + "/node")),
                Long.parseLong(p.getProperty("memoryReserveMiB", "256")) * 1024 * 1024,
                Integer.parseInt(p.getProperty("maxPods", "110")),
                Duration.ofSeconds(Long.parseLong(p.getProperty("heartbeatSeconds", "10"))),
                p.getProperty("buildDir") == null ? null : Path.of(p.getProperty("buildDir")),
                mirrors,
                RegistryConfig.fromProperties(p),
                Boolean.parseBoolean(p.getProperty("useEmulation", "false")),
                p.getProperty("qemuUser", HandlerConfig.DEFAULT_QEMU_USER).isBlank() ? null
                        : p.getProperty("qemuUser", HandlerConfig.DEFAULT_QEMU_USER),
                Path.of(p.getProperty("volumesDir", home + "/volumes")),
                Boolean.parseBoolean(p.getProperty("dualStackPodNetwork", "false")));
    }
}
