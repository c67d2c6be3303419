package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stock kubectl's {@code explain} (descriptions from our OpenAPI v3) and {@code apply --server-side}
 * by two field managers (409 conflict naming the other manager and field; {@code --force-conflicts}
 * moves the field).
 */
class KubectlApplyExplainIT {
    static RunningServer server;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(server.dir.resolve("kubectl-cache")));
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> errors = List.copyOf(server.internalErrors);
        server.close();
        assertEquals(List.of(), errors, "no request may end in a 500");
    }

    private static Kubectl.Result run(String stdin, String... args) throws Exception {
        return kubectl.run(60, stdin, args);
    }

    private static Kubectl.Result ok(String stdin, String... args) throws Exception {
        Kubectl.Result r = run(stdin, args);
        assertEquals(0, r.exit(), () -> "kubectl " + String.join(" ", args) + "\n" + r.all());
        return r;
    }

    @ParameterizedTest(name = "explain {0}")
    @CsvSource({
        "vm.spec.runStrategy, RerunOnFailure",
        "vm.spec.template.spec.domain.memory.guest, quantity",
        "vmi.spec.volumes.containerDisk, container image",
        "vmi.spec.domain.devices.interfaces, network",
        "vmi.status.phase, Running",
        "vm.status.printableStatus, Stopped",
    })
    void explainShowsOurDescription(String field, String word) throws Exception {
        Kubectl.Result r = ok(null, "explain", field);
        String out = r.out();
        int desc = out.indexOf("DESCRIPTION:");
        assertTrue(desc >= 0, out);
        String text = out.substring(desc + "DESCRIPTION:".length()).trim();
        assertTrue(!text.isEmpty() && !text.startsWith("<empty>"), "empty description:\n" + out);
        assertTrue(out.contains(word), "the description of " + field + " names '" + word + "':\n" + out);
    }

    private static String configMap(String key, String value) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: shared, namespace: ssa}
                data:
                  %s: "%s"
                """.formatted(key, value);
    }

    @Test
    void secondManagerConflictsUntilForced() throws Exception {
        ok(null, "create", "namespace", "ssa");
        ok(configMap("x", "one"), "apply", "--server-side", "--field-manager=mgr1", "-f", "-");
        ok(configMap("x", "one"), "apply", "--server-side", "--field-manager=mgr2", "-f", "-");

        Kubectl.Result conflict = run(configMap("x", "two"), "apply", "--server-side", "--field-manager=mgr2", "-f", "-");
        assertEquals(1, conflict.exit(), conflict.all());
        assertTrue(conflict.err().contains("Apply failed with 1 conflict: conflict with \"mgr1\": .data.x"), conflict.all());
        assertEquals("one", ok(null, "get", "-n", "ssa", "configmap", "shared", "-o", "jsonpath={.data.x}").out(), "nothing written");

        ok(configMap("x", "two"), "apply", "--server-side", "--field-manager=mgr2", "--force-conflicts", "-f", "-");
        assertEquals("two", ok(null, "get", "-n", "ssa", "configmap", "shared", "-o", "jsonpath={.data.x}").out());
        assertEquals("mgr2", ok(null, "get", "-n", "ssa", "configmap", "shared", "--show-managed-fields", "-o",
                "jsonpath={.metadata.managedFields[*].manager}").out(), "mgr1 owned only .data.x and lost it");

        Kubectl.Result back = run(configMap("x", "three"), "apply", "--server-side", "--field-manager=mgr1", "-f", "-");
        assertEquals(1, back.exit(), back.all());
        assertTrue(back.err().contains("conflict with \"mgr2\": .data.x"), "now mgr2 owns it:\n" + back.all());
    }
}
