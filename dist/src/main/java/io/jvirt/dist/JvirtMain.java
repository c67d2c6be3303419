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
import io.jvirt.launcher.LauncherMain;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * jvirt on one machine ({@code ./jvirt up}): the API server over the SQLite store, virt-controller
 * with the embedded scheduler, and a node agent for this machine, in one process. Launchers (and
 * their QEMUs) run as processes of their own, so they outlive this one and are re-adopted.
 *
 * <p>Settings come from {@code $JVIRT_HOME/config.properties} (all optional): {@code apiPort}
 * (6443, or $JVIRT_API_PORT) and the node agent's settings (see {@code HandlerMain}: nodeName,
 * memoryReserveMiB, useEmulation, {@code mirror.<image>=<OCI layout dir>} for registry mirrors, ...).
 * The controllers, the scheduler and the node agent each talk to the API server with a token of their own
 * ({@link ComponentIdentity}). {@code --build-dir DIR} names the project's build folder with the demo containerDisk. When all
 * parts run, it writes {@code $JVIRT_HOME/apiserver.ready} (the URL) and prints {@code jvirt ready}.
 */
public final class JvirtMain {
    private JvirtMain() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getenv().getOrDefault("JVIRT_HOME", System.getProperty("user.home") + "/.jvirt")).toAbsolutePath();
        Path buildDir = args.length == 2 && args[0].equals("--build-dir") ? Path.of(args[1]).toAbsolutePath() : null;
        Files.createDirectories(home);
        Properties settings = settings(home.resolve("config.properties"));
        Path ready = home.resolve("apiserver.ready");
        Files.deleteIfExists(ready);

        ObjectStore store = SqliteStore.open(StoreConfig.defaults(home.resolve("store").resolve("objects.db")));
        int port = Integer.parseInt(settings.getProperty("apiPort", System.getenv().getOrDefault("JVIRT_API_PORT", "6443")));
        ApiServer server = ApiServer.start(new ApiServer.Config(home, "127.0.0.1", port), store);
        Path kubeconfig = home.resolve("kubeconfig");
        server.writeKubeconfig(kubeconfig, "admin");

        KubernetesClient controllerClient = componentClient(server, home, ComponentIdentity.CONTROLLER);
        KubernetesClient schedulerClient = componentClient(server, home, ComponentIdentity.SCHEDULER);
        KubernetesClient nodeClient = componentClient(server, home, ComponentIdentity.NODE_AGENT);
        ControlPlane controllers = ControlPlane.start(controllerClient, schedulerClient, ControlPlane.Options.EMBEDDED, Clock.systemUTC());
        NodeAgent node = new NodeAgent(nodeClient, nodeConfig(settings, buildDir));
        node.start();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
                node.close();
                controllers.close();
            } catch (IOException e) {
                System.err.println("jvirt: stopping: " + e);
            } finally {
                nodeClient.close();
                schedulerClient.close();
                controllerClient.close();
                server.close();
                store.close();
                stopped.countDown();
            }
        }, "jvirt-shutdown"));
        Files.writeString(ready, server.url() + "\n");
        System.out.println("jvirt ready " + server.url());
        System.out.flush();
        stopped.await();
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

    /**
     * The node agent's settings (see HandlerMain). Launchers run with the launcher's lean JVM options
     * on the launcher module's own class path ({@code build/launcher.classpath}, written by the build;
     * else this JVM's) and map the class-data archive {@code build/launcher.jsa} (see LauncherArchive).
     */
    static HandlerConfig nodeConfig(Properties p, Path buildDir) throws IOException {
        List<String> launcher = new ArrayList<>();
        launcher.add("env");
        LauncherMain.ENVIRONMENT.forEach((k, v) -> launcher.add(k + "=" + v));
        launcher.add(ProcessHandle.current().info().command().orElse("java"));
        launcher.addAll(LauncherMain.JVM_OPTIONS);
        Path classPathFile = buildDir == null ? null : buildDir.resolve("launcher.classpath");
        String classPath = System.getProperty("java.class.path");
        if (classPathFile != null && Files.exists(classPathFile)) {
            classPath = Files.readString(classPathFile).strip();
            Path archive = LauncherArchive.ensure(buildDir.resolve("launcher.jsa"), launcher, classPath);
            if (archive != null) {
                launcher.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
            }
        }
        launcher.addAll(List.of("-cp", classPath, LauncherMain.class.getName()));
        Properties withBuildDir = new Properties();
        withBuildDir.putAll(p);
        if (buildDir != null) {
            withBuildDir.setProperty("buildDir", buildDir.toString());
        }
        return HandlerMain.config(withBuildDir).withLauncherCommand(launcher);
    }
}
