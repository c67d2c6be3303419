package io.jvirt.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl get --sort-by}: kubectl asks for a Table with {@code includeObject=Object} and sorts
 * the rows by a field of each row's full object, so the server must put the whole object there.
 * Objects are created out of order and the printed names must come back sorted.
 */
class KubectlSortIT {
    static RunningServer server;
    static Kubectl kubectl;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        kubectl = new Kubectl(server.kubeconfig(), Files.createDirectories(server.dir.resolve("kubectl-cache")));
        http = Http.admin(server);
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> errors = List.copyOf(server.internalErrors);
        server.close();
        assertEquals(List.of(), errors, "no request may end in a 500");
    }

    private static Kubectl.Result ok(String stdin, String... args) throws Exception {
        Kubectl.Result r = kubectl.run(60, stdin, args);
        assertEquals(0, r.exit(), () -> "kubectl " + String.join(" ", args) + "\n" + r.all());
        return r;
    }

    private static List<String> names(String out) {
        return Arrays.stream(out.split("\n")).skip(1).filter(l -> !l.isBlank()).map(l -> l.trim().split("\\s+")[0]).toList();
    }

    private static String event(String name, String time) {
        return """
                apiVersion: v1
                kind: Event
                metadata: {name: %s, namespace: sorting}
                involvedObject: {kind: VirtualMachine, name: vm-x, namespace: sorting, apiVersion: kubevirt.io/v1}
                reason: Testing
                message: event %s
                type: Normal
                firstTimestamp: "%s"
                lastTimestamp: "%s"
                count: 1
                source: {component: sort-test}
                """.formatted(name, name, time, time);
    }

    @Test
    void eventsSortByLastTimestamp() throws Exception {
        ok(null, "create", "namespace", "sorting");
        ok(event("ev-middle", "2026-01-02T00:00:00Z"), "create", "-f", "-");
        ok(event("ev-last", "2026-01-03T00:00:00Z"), "create", "-f", "-");
        ok(event("ev-first", "2026-01-01T00:00:00Z"), "create", "-f", "-");
        Kubectl.Result r = ok(null, "get", "events", "-n", "sorting", "--sort-by=.lastTimestamp", "-o", "custom-columns=NAME:.metadata.name");
        assertEquals(List.of("ev-first", "ev-middle", "ev-last"), names(r.out()), r.all());
        Kubectl.Result table = ok(null, "get", "events", "-n", "sorting", "--sort-by=.lastTimestamp");
        assertEquals(List.of("event ev-first", "event ev-middle", "event ev-last"),
                Arrays.stream(table.out().split("\n")).skip(1).map(l -> l.replaceAll(".*(event ev-\\w+).*", "$1")).toList(), table.all());
    }

    private static void vm(String name, String printableStatus) throws Exception {
        ok("""
                apiVersion: kubevirt.io/v1
                kind: VirtualMachine
                metadata: {name: %s, namespace: sortvm}
                spec:
                  runStrategy: Halted
                  template:
                    spec:
                      domain:
                        memory: {guest: 128Mi}
                        devices: {}
                """.formatted(name), "create", "-f", "-");
        var reply = http.patch("/apis/kubevirt.io/v1/namespaces/sortvm/virtualmachines/" + name + "/status", "application/merge-patch+json",
                "{\"status\":{\"printableStatus\":\"" + printableStatus + "\"}}");
        assertEquals(200, reply.code(), reply.raw());
    }

    @Test
    void vmsSortByPrintableStatus() throws Exception {
        ok(null, "create", "namespace", "sortvm");
        vm("vm-c", "Stopped");
        vm("vm-a", "Running");
        vm("vm-b", "Provisioning");
        Kubectl.Result r = ok(null, "get", "vm", "-n", "sortvm", "--sort-by=.status.printableStatus");
        assertEquals(List.of("vm-b", "vm-a", "vm-c"), names(r.out()), r.all());
        Kubectl.Result byName = ok(null, "get", "vm", "-n", "sortvm", "--sort-by=.metadata.name", "-o", "wide");
        assertEquals(List.of("vm-a", "vm-b", "vm-c"), names(byName.out()), byName.all());
    }
}
