package io.jvirt.handler;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.ApiServer;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test fixture: the real embedded API server over a real SQLite store in a temp directory on a
 * loopback port, an admin kubeconfig, a fabric8 client and the stock kubectl. {@link #close()}
 * stops everything and deletes the directory.
 */
public final class EmbeddedApi implements AutoCloseable {
    public final Path dir;
    private final SqliteStore store;
    private final ApiServer server;
    public final KubernetesClient client;
    /** Acting as virt-controller ({@link ComponentIdentity#CONTROLLER}): the one identity allowed to make launcher pods. */
    public final KubernetesClient controller;
    /** Acting as the node agent ({@link ComponentIdentity#NODE_AGENT}): writes launcher pods' status. */
    public final KubernetesClient nodeAgent;

    private EmbeddedApi(Path dir, SqliteStore store, ApiServer server, KubernetesClient client, KubernetesClient controller,
            KubernetesClient nodeAgent) {
        this.dir = dir;
        this.store = store;
        this.server = server;
        this.client = client;
        this.controller = controller;
        this.nodeAgent = nodeAgent;
    }

    public static EmbeddedApi start() throws Exception {
        Path dir = Files.createTempDirectory("jvirt-handler-it");
        SqliteStore store = null;
        ApiServer server = null;
        try {
            store = SqliteStore.open(StoreConfig.defaults(dir.resolve("objects.db")));
            server = ApiServer.start(new ApiServer.Config(dir, "127.0.0.1", freePort()), store);
            server.writeKubeconfig(dir.resolve("kubeconfig"), "admin");
            server.writeKubeconfig(dir.resolve("controller.kubeconfig"), ComponentIdentity.CONTROLLER);
            server.writeKubeconfig(dir.resolve("node-agent.kubeconfig"), ComponentIdentity.NODE_AGENT);
            server.writeKubeconfig(dir.resolve("scheduler.kubeconfig"), ComponentIdentity.SCHEDULER);
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(dir.resolve("kubeconfig")))).build();
            KubernetesClient controller = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(dir.resolve("controller.kubeconfig")))).build();
            KubernetesClient nodeAgent = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(dir.resolve("node-agent.kubeconfig")))).build();
            return new EmbeddedApi(dir, store, server, client, controller, nodeAgent);
        } catch (Exception | Error e) {
            if (server != null) server.close();
            if (store != null) store.close();
            deleteTree(dir);
            throw e;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The store under the API server, for tests that must put an object there as an older version of the
     * API server admitted it (past today's admission); the API server's watches see such writes.
     */
    public SqliteStore store() {
        return store;
    }

    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    /** The server's URL ({@code https://127.0.0.1:<port>}) and the CA certificate that signs its own. */
    public String url() {
        return server.url();
    }

    public Path caCert() {
        return server.pki().caCert();
    }

    /** A token for a new user bound to ClusterRole {@code clusterRole} everywhere. */
    public String addUser(String user, String clusterRole) throws IOException {
        return server.addUser(user, clusterRole, null);
    }

    /** A kubeconfig for a new user bound to ClusterRole {@code clusterRole} everywhere. */
    public Path kubeconfigFor(String user, String clusterRole) throws IOException {
        addUser(user, clusterRole);
        Path file = dir.resolve("kubeconfig-" + user);
        server.writeKubeconfig(file, user);
        return file;
    }

    /**
     * Deletes every pod of namespace {@code default} as virt-controller does, one by one (only the control plane
     * deletes launcher pods, and its role holds no deletecollection).
     */
    public void deletePods() {
        for (var pod : controller.pods().inNamespace("default").list().getItems()) {
            controller.pods().resource(pod).delete();
        }
    }

    /** The kubeconfig of a control-plane component. */
    public Path kubeconfig(ComponentIdentity component) {
        return dir.resolve(switch (component) {
            case CONTROLLER -> "controller.kubeconfig";
            case SCHEDULER -> "scheduler.kubeconfig";
            case NODE_AGENT -> "node-agent.kubeconfig";
        });
    }

    /** Runs the stock kubectl against this server; returns stdout, fails on a non-zero exit. */
    public String kubectl(String... args) throws IOException, InterruptedException {
        return kubectl(kubeconfig(), args);
    }

    /** kubectl as a control-plane component (e.g. to delete launcher pods, which only the control plane may). */
    public String kubectlAs(ComponentIdentity component, String... args) throws IOException, InterruptedException {
        return kubectl(kubeconfig(component), args);
    }

    private String kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("kubectl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
        controller.close();
        nodeAgent.close();
        server.close();
        store.close();
        deleteTree(dir);
    }
}
