package io.jvirt.dist;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.ApiServer;
import io.jvirt.controller.ControlPlane;
import io.jvirt.handler.HandlerConfig;
import io.jvirt.handler.HandlerMain;
import io.jvirt.handler.NodeAgent;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * jvirt on one machine ({@code ./jvirt up}): the API server over the SQLite store, virt-controller
 * with the embedded scheduler, and a node agent for this machine, in one process: the only JVM. Each
 * VM's QEMU is its launcher pod's one process, so it outlives this one and is re-adopted. At shutdown
 * ({@code ./jvirt down}: SIGTERM) the controllers stop first, then every guest gets its ACPI power
 * button and at most {@link #GUEST_STOP} to power off, then the rest stops.
 *
 * <p>Settings come from {@code $JVIRT_HOME/config.properties} (all optional): {@code apiPort}
 * (6443, or $JVIRT_API_PORT) and the node agent's settings (see {@code HandlerMain}: nodeName,
 * memoryReserveMiB, useEmulation, {@code mirror.<image>=<OCI layout dir>} for registry mirrors, ...).
 * The controllers, the scheduler and the node agent each talk to the API server with a token of their own
 * ({@link ComponentIdentity}). {@code --build-dir DIR} names the project's build folder with the demo containerDisk. When all
 * parts run, it writes {@code $JVIRT_HOME/apiserver.ready} (the URL) and prints {@code jvirt ready}.
 *
 * <p>If any part fails to start, the parts already running are stopped, the reason is written to
 * {@code $JVIRT_HOME/start.failed} (see {@link StartFailure}) and the JVM exits with status 1: nothing keeps
 * running or holds the port. The private files are made 0600 in 0700 directories (see {@link PrivateFiles}).
 */
public final class JvirtMain {
    /** How long the guests get at shutdown: within {@code ./jvirt down}'s 30 s before it kills this process. */
    static final Duration GUEST_STOP = Duration.ofSeconds(25);

    private JvirtMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path home;
        try {
            home = HandlerMain.jvirtHome();
        } catch (IOException e) {
            System.err.println("jvirt: cannot tell JVIRT_HOME: " + e.getMessage());
            System.exit(1);
            return;
        }
        Path buildDir = args.length == 2 && args[0].equals("--build-dir") ? Path.of(args[1]).toAbsolutePath() : null;
        StartedParts parts = new StartedParts();
        Runtime.getRuntime().addShutdownHook(new Thread(parts::close, "jvirt-shutdown"));
        try {
            start(home, buildDir, parts);
        } catch (Exception | Error e) {
            // the threads already started (HTTP server, informers, the node agent) would keep this JVM and the port
            StartFailure.report(home, e);
            parts.close();
            System.exit(1);
        }
        new CountDownLatch(1).await(); // runs until the shutdown hook stops the parts
    }

    /**
     * Starts every part, each recorded in {@code parts} as soon as it runs, then writes the ready file.
     * Throws on the first part that fails; the caller stops what {@code parts} holds.
     */
    static void start(Path home, Path buildDir, StartedParts parts) throws Exception {
        Files.createDirectories(home);
        // searchable, not listable: QEMU (uid 107) passes through to its pod's files in node/; the rest is private
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Files.deleteIfExists(home.resolve(StartFailure.FILE));
        PrivateFiles.secure(home);
        Properties settings = settings(home.resolve("config.properties"));
        Path ready = home.resolve("apiserver.ready");
        Files.deleteIfExists(ready);

        ObjectStore store = parts.add("the store", SqliteStore.open(StoreConfig.defaults(home.resolve("store").resolve("objects.db"))));
        int port = Integer.parseInt(settings.getProperty("apiPort", System.getenv().getOrDefault("JVIRT_API_PORT", "6443")));
        ApiServer server = parts.add("the API server", ApiServer.start(new ApiServer.Config(home, "127.0.0.1", port), store));
        Path kubeconfig = home.resolve("kubeconfig");
        server.writeKubeconfig(kubeconfig, "admin");

        KubernetesClient controllerClient = parts.add("the controllers' client", componentClient(server, home, ComponentIdentity.CONTROLLER));
        KubernetesClient schedulerClient = parts.add("the scheduler's client", componentClient(server, home, ComponentIdentity.SCHEDULER));
        KubernetesClient nodeClient = parts.add("the node agent's client", componentClient(server, home, ComponentIdentity.NODE_AGENT));
        ControlPlane controllers = parts.add("the controllers", ControlPlane.start(controllerClient, schedulerClient,
                ControlPlane.Options.EMBEDDED.withVolumes(home.resolve("volumes")).withRegistries(io.jvirt.registry.RegistryConfig.fromProperties(settings)),
                Clock.systemUTC()));
        HandlerConfig nodeConfig;
        try {
            nodeConfig = nodeConfig(settings, buildDir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid node agent setting in " + home.resolve("config.properties") + ": " + e.getMessage(), e);
        }
        NodeAgent node = parts.add("the node agent", new NodeAgent(nodeClient, nodeConfig));
        node.start();
        parts.add("the guests", node, () -> { // stopped first: nothing may restart them meanwhile
            controllers.close();
            node.stopGuests(GUEST_STOP);
        });
        PrivateFiles.secure(home); // what the API server wrote on a first start (pki, tokens, kubeconfigs)

        Files.writeString(ready, server.url() + "\n");
        parts.add("the ready file", ready, () -> Files.deleteIfExists(ready));
        System.out.println("jvirt ready " + server.url());
        System.out.flush();
    }

    /**
     * A client acting as {@code component}, with its own token: its kubeconfig is written to
     * {@code <home>/components/<component>.kubeconfig} (0600), the token kept in tokens.csv across restarts.
     */
    private static KubernetesClient componentClient(ApiServer server, Path home, ComponentIdentity component) throws IOException {
        Path file = home.resolve("components").resolve(component.name().toLowerCase().replace('_', '-') + ".kubeconfig");
        server.writeKubeconfig(file, component);
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(file))).build();
    }

    private static Properties settings(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
        }
        return p;
    }

    /** The node agent's settings (see HandlerMain), with the build directory (the demo containerDisk). */
    static HandlerConfig nodeConfig(Properties p, Path buildDir) throws IOException {
        Properties withBuildDir = new Properties();
        withBuildDir.putAll(p);
        if (buildDir != null) {
            withBuildDir.setProperty("buildDir", buildDir.toString());
        }
        return HandlerMain.config(withBuildDir);
    }
}
