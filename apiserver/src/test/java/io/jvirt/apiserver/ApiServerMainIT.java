package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link ApiServerMain} as {@code ./jvirt up} runs it: a separate JVM that writes the kubeconfig and
 * the ready file, answers /readyz, stops cleanly on SIGTERM (removing the ready file) and, started
 * again on the same data directory, serves the same objects with the same credentials.
 */
class ApiServerMainIT {
    static Process launch(Path dir, Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), ApiServerMain.class.getName(),
                "--data-dir", dir.toString(), "--port", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static String awaitReady(Path dir, Process p, Path log) throws Exception {
        Path ready = dir.resolve("apiserver.ready");
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            List<String> lines = Files.exists(ready) ? Files.readAllLines(ready) : List.of();
            if (lines.size() == 2 && lines.get(1).equals(Long.toString(p.pid()))) return lines.get(0);
            Thread.sleep(100);
        }
        throw new AssertionError("server not ready; log:\n" + Files.readString(log));
    }

    @Test
    void startsSignalsReadinessStopsOnSigtermAndKeepsData() throws Exception {
        Path dir = Files.createTempDirectory("jvirt-main-it");
        Path log = dir.resolve("apiserver.log");
        Process p = launch(dir, log);
        try {
            String url = awaitReady(dir, p, log);
            assertTrue(Files.readString(log).contains("jvirt-apiserver ready " + url));
            Kubectl kubectl = new Kubectl(dir.resolve("kubeconfig"), Files.createDirectories(dir.resolve("cache")));
            String token = Files.readAllLines(dir.resolve("tokens.csv")).get(0).split(",")[0];
            Http http = new Http(url, dir.resolve("pki/ca.crt"), token);
            assertEquals("ok", http.get("/readyz").raw());
            assertEquals(0, kubectl.run("create", "configmap", "survivor", "--from-literal=a=b").exit());
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "SIGTERM must stop the server");
            assertFalse(Files.exists(dir.resolve("apiserver.ready")));

            p = launch(dir, log);
            awaitReady(dir, p, log);
            Kubectl.Result r = kubectl.run("get", "configmap", "survivor", "-o", "jsonpath={.data.a}");
            assertEquals(0, r.exit(), r.all());
            assertEquals("b", r.out());
            assertEquals(List.of("virtualmachines.kubevirt.io"), Stream.of(kubectl.run("get", "crd", "-o", "name").out().split("\n"))
                    .map(s -> s.replace("customresourcedefinition.apiextensions.k8s.io/", "")).filter(s -> s.equals("virtualmachines.kubevirt.io")).toList());
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
