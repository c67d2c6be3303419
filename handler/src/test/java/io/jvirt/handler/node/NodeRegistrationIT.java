package io.jvirt.handler.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.jvirt.handler.EmbeddedApi;
import io.jvirt.handler.Waits;
import io.jvirt.qemu.accel.AccelProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Node registration and heartbeat against the real embedded API server, read back with kubectl. */
class NodeRegistrationIT {
    @Test
    void registeredNodeIsReadyInKubectlAndKeepsBeating() throws Exception {
        try (EmbeddedApi api = EmbeddedApi.start()) {
            boolean kvm = !AccelProbe.decide().softwareEmulation();
            boolean tun = Files.exists(Path.of("/dev/net/tun"));
            long memTotal = MemInfo.read();
            NodeResources res = new NodeResources(Runtime.getRuntime().availableProcessors(), memTotal, 256L << 20, 110, kvm, tun);
            try (NodeRegistration reg = new NodeRegistration(api.client, "node-it", res, Duration.ofMillis(700), Clock.systemUTC())) {
                reg.register();
                reg.start();

                String table = api.kubectl("get", "nodes", "--no-headers");
                assertTrue(table.startsWith("node-it "), table);
                assertEquals("True", api.kubectl("get", "node", "node-it", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"));
                assertEquals("true", api.kubectl("get", "node", "node-it", "-o", "jsonpath={.metadata.labels.kubevirt\\.io/schedulable}"));
                assertEquals("node-it", api.kubectl("get", "node", "node-it", "-o", "jsonpath={.metadata.labels.kubernetes\\.io/hostname}"));

                java.util.Map<String, String> wide = columns(api.kubectl("get", "nodes", "-o", "wide"));
                assertEquals("127.0.0.1", wide.get("INTERNAL-IP"), wide.toString());
                assertEquals("<none>", wide.get("EXTERNAL-IP"), wide.toString());
                assertEquals(HostInfo.osImage(Path.of("/etc/os-release")), wide.get("OS-IMAGE"), wide.toString());
                assertTrue(!wide.get("OS-IMAGE").isEmpty() && !wide.get("OS-IMAGE").equals("<none>"), wide.toString());
                assertEquals(System.getProperty("os.version"), wide.get("KERNEL-VERSION"), wide.toString());
                assertEquals("jvirt://0.1.0", wide.get("CONTAINER-RUNTIME"), wide.toString());
                assertEquals("Ready", wide.get("STATUS"), wide.toString());
                assertEquals("<none>", wide.get("ROLES"), wide.toString());

                Node node = api.client.nodes().withName("node-it").get();
                assertEquals(memTotal, Quantity.getAmountInBytes(node.getStatus().getCapacity().get("memory")).longValue());
                assertEquals(memTotal - (256L << 20), Quantity.getAmountInBytes(node.getStatus().getAllocatable().get("memory")).longValue());
                assertEquals(110, node.getStatus().getAllocatable().get("pods").getNumericalAmount().intValue());
                assertEquals(kvm, node.getStatus().getCapacity().containsKey(NodeResources.KVM), "kvm device iff the probe ran a KVM guest");
                assertEquals(tun, node.getStatus().getCapacity().containsKey(NodeResources.TUN));

                Instant firstBeat = Instant.parse(ready(node).getLastHeartbeatTime());
                String firstRenew = api.client.leases().inNamespace("kube-node-lease").withName("node-it").get().getSpec().getRenewTime().toString();
                Waits.until("a later heartbeat", Duration.ofSeconds(10), () ->
                        Instant.parse(ready(api.client.nodes().withName("node-it").get()).getLastHeartbeatTime()).isAfter(firstBeat));
                Waits.until("a renewed lease", Duration.ofSeconds(10), () -> !firstRenew.equals(
                        api.client.leases().inNamespace("kube-node-lease").withName("node-it").get().getSpec().getRenewTime().toString()));
                assertTrue(api.kubectl("get", "leases", "-n", "kube-node-lease", "--no-headers").contains("node-it"));
            }
        }
    }

    /** The one data row of a kubectl table, by header (cells cut at the headers' offsets: OS images hold spaces). */
    static java.util.Map<String, String> columns(String table) {
        String[] lines = table.split("\n");
        assertEquals(2, lines.length, table);
        String header = lines[0], row = lines[1];
        java.util.List<Integer> starts = new java.util.ArrayList<>();
        for (int i = 0; i < header.length(); i++) if (header.charAt(i) != ' ' && (i == 0 || header.charAt(i - 1) == ' ')) starts.add(i);
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (int c = 0; c < starts.size(); c++) {
            int from = starts.get(c), to = c + 1 < starts.size() ? starts.get(c + 1) : Integer.MAX_VALUE;
            out.put(header.substring(from, Math.min(to, header.length())).trim(),
                    from >= row.length() ? "" : row.substring(from, Math.min(to, row.length())).trim());
        }
        return out;
    }

    private static NodeCondition ready(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
    }
}
