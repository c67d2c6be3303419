package io.jvirt.apiserver;

import io.jvirt.store.ObjectStore;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded API server. Arguments (each also from the environment):
 * {@code --data-dir DIR} ($JVIRT_HOME, default ~/.jvirt), {@code --port N} ($JVIRT_API_PORT, default 6443),
 * {@code --host H} (default 127.0.0.1). Writes {@code DIR/kubeconfig} (admin), then
 * {@code DIR/apiserver.ready} holding the URL and the process id (one per line), and prints
 * {@code jvirt-apiserver ready <url>}; readiness is also {@code GET /readyz}. After a crash (kill -9)
 * the ready file is stale: it is deleted at the next start, and its pid tells whether it is current. Stops on SIGTERM/SIGINT (closes the store cleanly).
 */
public final class ApiServerMain {
    private ApiServerMain() {}

    public static void main(String[] args) throws Exception {
        String home = System.getenv().getOrDefault("JVIRT_HOME", System.getProperty("user.home") + "/.jvirt");
        String port = System.getenv().getOrDefault("JVIRT_API_PORT", "6443");
        String host = "127.0.0.1";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--data-dir" -> home = args[i + 1];
                case "--port" -> port = args[i + 1];
                case "--host" -> host = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Path.of(home).toAbsolutePath();
        Files.createDirectories(dir);
        Path ready = dir.resolve("apiserver.ready");
        Files.deleteIfExists(ready);
        ObjectStore store = SqliteStore.open(StoreConfig.defaults(dir.resolve("store").resolve("objects.db")));
        ApiServer server = ApiServer.start(new ApiServer.Config(dir, host, Integer.parseInt(port)), store);
        server.writeKubeconfig(dir.resolve("kubeconfig"), "admin");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (java.io.IOException ignored) {
                // best effort
            }
            server.close();
            store.close();
            stopped.countDown();
        }, "jvirt-apiserver-shutdown"));
        Files.writeString(ready, server.url() + "\n" + ProcessHandle.current().pid() + "\n");
        System.out.println("jvirt-apiserver ready " + server.url());
        System.out.flush();
        stopped.await();
    }
}
