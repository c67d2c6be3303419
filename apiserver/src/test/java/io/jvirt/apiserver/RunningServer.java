package io.jvirt.apiserver;

import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Test fixture: a real {@link ApiServer} over a real SQLite store in a temp directory on a loopback
 * port, with an admin kubeconfig. {@link #restart()} stops server and store and starts both again on
 * the same port and data. {@link #close()} stops everything and deletes the directory.
 */
final class RunningServer implements AutoCloseable {
    final Path dir;
    final int port;
    private final StoreConfig storeConfig;
    java.time.Duration bookmarkInterval = java.time.Duration.ofSeconds(30);
    SqliteStore store;
    ApiServer server;
    /** Held strongly: LogManager keeps loggers only weakly, and the handler must stay attached. */
    private static final java.util.logging.Logger SERVER_LOG = java.util.logging.Logger.getLogger("io.jvirt.apiserver");
    /** Every "internal error" (HTTP 500) the server logged while this fixture ran. */
    final java.util.List<String> internalErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.logging.Handler errorLog = new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r.getMessage() != null && r.getMessage().startsWith("internal error")) internalErrors.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private RunningServer(Path dir, int port, StoreConfig storeConfig) {
        this.dir = dir;
        this.port = port;
        this.storeConfig = storeConfig;
    }

    static RunningServer start() throws Exception {
        Path dir = Files.createTempDirectory("jvirt-apiserver-it");
        return start(dir, StoreConfig.defaults(dir.resolve("objects.db")));
    }

    static RunningServer start(Path dir, StoreConfig config) throws Exception {
        return start(dir, config, java.time.Duration.ofSeconds(30));
    }

    static RunningServer start(Path dir, StoreConfig config, java.time.Duration bookmarkInterval) throws Exception {
        RunningServer s = new RunningServer(dir, freePort(), config);
        s.bookmarkInterval = bookmarkInterval;
        s.open();
        return s;
    }

    private void open() throws Exception {
        SERVER_LOG.removeHandler(errorLog);
        SERVER_LOG.addHandler(errorLog);
        store = SqliteStore.open(storeConfig);
        server = ApiServer.start(new ApiServer.Config(dir, "127.0.0.1", port, bookmarkInterval), store);
        server.writeKubeconfig(kubeconfig(), "admin");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    /** A kubeconfig for a new user bound to ClusterRole {@code clusterRole} everywhere. */
    Path kubeconfigFor(String user, String clusterRole) throws IOException {
        return kubeconfigFor(user, clusterRole, null);
    }

    /** A kubeconfig for a new user bound to ClusterRole {@code clusterRole} in {@code namespace} only (null: everywhere). */
    Path kubeconfigFor(String user, String clusterRole, String namespace) throws IOException {
        server.addUser(user, clusterRole, namespace);
        Path file = dir.resolve("kubeconfig-" + user);
        server.writeKubeconfig(file, user);
        return file;
    }

    String adminToken() {
        return server.tokens().tokenFor("admin").orElseThrow();
    }

    String url() {
        return server.url();
    }

    void stop() {
        if (server != null) server.close();
        if (store != null) store.close();
        server = null;
        store = null;
    }

    /** Stops the server, runs {@code offline} on the store alone (the server down), then starts the server again. */
    void restartWith(java.util.function.Consumer<SqliteStore> offline) throws Exception {
        stop();
        try (SqliteStore s = SqliteStore.open(storeConfig)) {
            offline.accept(s);
        }
        open();
    }

    void restart() throws Exception {
        stop();
        open();
    }

    @Override
    public void close() throws IOException {
        SERVER_LOG.removeHandler(errorLog);
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
