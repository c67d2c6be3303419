package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Python kubernetes client (Debian's python3-kubernetes under Debian's /usr/bin/python3, run as a subprocess) watches
 * VirtualMachines: its {@code watch=True} query starts a stream (not a list), and it sees the
 * VM ADDED, MODIFIED and DELETED. Also the boolean forms kube-apiserver accepts for {@code watch}.
 */
class PythonClientIT {
    static RunningServer server;
    static Kubectl kubectl;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(server.dir.resolve("kubectl-cache")));
        http = Http.admin(server);
        assertEquals(0, kubectl.run("create", "namespace", "py").exit());
        assertEquals(0, kubectl.run("create", "-n", "py", "configmap", "cm1", "--from-literal=a=b").exit());
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> errors = List.copyOf(server.internalErrors);
        server.close();
        assertEquals(List.of(), errors, "no request may end in a 500");
    }

    private static String vm(String runStrategy) {
        return """
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata: {name: vm-py, namespace: py}
                spec:
                  runStrategy: %s
                  template:
                    spec:
                      domain:
                        memory: {guest: 128Mi}
                        devices: {}
                """.formatted(runStrategy);
    }

    private static String next(BlockingQueue<String> lines, Process p) throws InterruptedException {
        String line = lines.poll(60, TimeUnit.SECONDS);
        assertTrue(line != null, "no line from the Python watch within 60 s (alive: " + p.isAlive() + ")");
        return line;
    }

    @Test
    void pythonWatchSeesAddedModifiedDeleted() throws Exception {
        Path script = Path.of(PythonClientIT.class.getResource("/python/watch_vms.py").toURI());
        Path err = server.dir.resolve("python.err");
        Process p = new ProcessBuilder("/usr/bin/python3", "-u", script.toString(), server.kubeconfig().toString(), "py", "vm-py")
                .redirectError(err.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
                lines.add("EOF (the script ended)");
            } catch (java.io.IOException e) {
                lines.add("READ FAILED " + e);
            }
        });
        reader.start();
        try {
            String ready = next(lines, p);
            assertTrue(ready.startsWith("READY "), ready + "\n" + Files.readString(err));
            assertEquals(0, kubectl.run(60, vm("Halted"), "create", "-f", "-").exit());
            assertEquals("ADDED vm-py Halted", next(lines, p), () -> readQuietly(err));
            assertEquals(0, kubectl.run("patch", "-n", "py", "vm", "vm-py", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Manual\"}}").exit());
            assertEquals("MODIFIED vm-py Manual", next(lines, p), () -> readQuietly(err));
            assertEquals(0, kubectl.run("delete", "-n", "py", "vm", "vm-py").exit());
            assertEquals("DELETED vm-py Manual", next(lines, p), () -> readQuietly(err));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script ends after DELETED");
            assertEquals(0, p.exitValue(), () -> readQuietly(err));
        } finally {
            p.destroyForcibly();
            reader.join(10_000);
        }
    }

    private static String readQuietly(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @ParameterizedTest(name = "watch={0} -> {1}")
    @CsvSource({"true,watch", "True,watch", "TRUE,watch", "1,watch", "t,watch", "false,list", "False,list", "0,list"})
    void watchParameterFormsAsKubeApiserver(String value, String expected) throws Exception {
        var r = http.send("GET", "/api/v1/namespaces/py/configmaps?watch=" + value + "&timeoutSeconds=1", null, null, null);
        assertEquals(200, r.code(), r.raw());
        String got = r.raw().contains("\"kind\":\"ConfigMapList\"") ? "list" : r.raw().startsWith("{\"type\":\"ADDED\"") ? "watch" : r.raw();
        assertEquals(expected, got);
    }
}
