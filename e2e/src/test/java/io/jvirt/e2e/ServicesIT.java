package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Services through {@code ./jvirt up} as a user meets them: {@code virtctl expose ... --type=NodePort} gets a cluster IP
 * and node port allocated by the API server, the node agent's service proxy table {@code ip jvirt-svc-<instance id>} is
 * in the host's nftables while jvirt runs (a cluster IP without a ready endpoint is refused on the host, never routed
 * out), survives {@code kill -9} of the control plane, is replaced at the next start (a rule planted in it is gone) and
 * removed by {@code ./jvirt down}. Reaching a guest through it is {@code e2e}'s job once guests are on the pod network.
 */
class ServicesIT {
    @Test
    void exposeAllocatesAndTheProxyTableLivesWithTheControlPlane() throws Exception {
        JvirtUp jvirt = JvirtUp.inFreshHome();
        boolean closed = false;
        try {
            jvirt.up();
            String table = "jvirt-svc-" + jvirt.instanceId();
            Waits.until("the service proxy's table", Duration.ofSeconds(60), () -> tables().contains("table ip " + table));

            jvirt.kubectl("apply", "-f", JvirtUp.EXAMPLES.resolve("vm-cirros.yaml").toString());
            JvirtUp.Result exposed = jvirt.virtctl("expose", "vm", "vm-cirros", "--name", "web", "--port", "8080", "--target-port", "80",
                    "--type", "NodePort");
            assertEquals(0, exposed.exit(), exposed.out());
            String clusterIp = jvirt.kubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}").strip();
            int nodePort = Integer.parseInt(jvirt.kubectl("get", "svc", "web", "-o", "jsonpath={.spec.ports[0].nodePort}").strip());
            assertTrue(clusterIp.matches("10\\.(9[6-9]|10[0-9]|11[01])\\.\\d+\\.\\d+"), "in 10.96.0.0/12: " + clusterIp);
            assertTrue(nodePort >= 30000 && nodePort <= 32767, "node port " + nodePort);
            assertTrue(jvirt.kubectl("get", "svc", "web").contains(clusterIp), "kubectl get svc shows it");
            // the VM is not running: no endpoint, so no rule, and the host refuses the cluster IP itself
            assertTrue(refused(clusterIp, 8080), "a cluster IP without a ready endpoint is refused on the host");

            jvirt.killControlPlane();
            assertTrue(tables().contains("table ip " + table), "kill -9 leaves the table (its rules keep working)");
            run(List.of("nft", "add", "rule", "ip", table, "output", "tcp", "dport", "9", "accept"));
            jvirt.up();
            Waits.until("the table swept and made anew", Duration.ofSeconds(60), () -> {
                String listed = run(List.of("nft", "list", "table", "ip", table));
                return listed.contains("ip daddr 10.96.0.0/12 reject") && !listed.contains("dport 9 accept");
            });

            jvirt.close();
            closed = true;
            assertFalse(tables().contains("table ip " + table), "./jvirt down removes the table");
        } finally {
            if (!closed) jvirt.close();
        }
    }

    private static boolean refused(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 3000);
            return false;
        } catch (java.net.ConnectException e) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String tables() throws Exception {
        return run(List.of("nft", "list", "tables", "ip"));
    }

    private static String run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError(argv + ": " + out);
        return out;
    }
}
