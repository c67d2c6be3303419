package io.jvirt.controller;

import static io.jvirt.controller.EmbeddedCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.apiserver.ApiServer;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.resource.VirtualMachineResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ControllerMain as its own process against the embedded API server, with {@code --no-scheduler} (the
 * cluster-mode setting): it reconciles VMs and VMIs, leaves launcher pods unbound, and SIGTERM stops it.
 */
class ControllerMainIT {
    @Test
    void runsAgainstAKubeconfigAndStopsOnSigterm() throws Exception {
        Path dir = Files.createTempDirectory("jvirt-controller-main-it");
        Process p = null;
        try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(dir.resolve("objects.db")))) {
            ApiServer server = ApiServer.start(new ApiServer.Config(dir, "127.0.0.1", 0), store);
            try {
                Path kubeconfig = dir.resolve("kubeconfig");
                server.writeKubeconfig(kubeconfig, "admin");
                Path controllerKubeconfig = dir.resolve("controller.kubeconfig"); // only virt-controller may make launcher pods
                server.writeKubeconfig(controllerKubeconfig, io.jvirt.api.auth.ComponentIdentity.CONTROLLER);
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
                p = new ProcessBuilder(List.of(java, "-Xmx128m", "-cp", cp, "io.jvirt.controller.ControllerMain", controllerKubeconfig.toString(), "--no-scheduler"))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("controller.log").toFile()).start();
                try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
                    new Kubectl(kubeconfig, dir).ok("apply", "-f", VmLifecycleIT.EXAMPLES.resolve("vm-cirros.yaml").toString());
                    await(Duration.ofSeconds(60), "the controller process marks vm-cirros Stopped",
                            () -> client.resources(VirtualMachineResource.class).inNamespace("default").withName("vm-cirros").get(),
                            vm -> vm.getStatus() != null && "Stopped".equals(vm.getStatus().printableStatus()));
                    new Kubectl(kubeconfig, dir).ok("patch", "vm", "vm-cirros", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
                    await(Duration.ofSeconds(60), "VMI Scheduling with its launcher pod",
                            () -> client.resources(VirtualMachineInstanceResource.class).inNamespace("default").withName("vm-cirros").get(),
                            vmi -> vmi != null && vmi.getStatus() != null && "Scheduling".equals(vmi.getStatus().phase()));
                    Thread.sleep(1000);
                    var pods = client.pods().inNamespace("default").withLabel("kubevirt.io", "virt-launcher").list().getItems();
                    assertEquals(1, pods.size());
                    assertEquals(null, pods.getFirst().getSpec().getNodeName(), "no scheduler runs with --no-scheduler");
                    assertEquals("Starting", client.resources(VirtualMachineResource.class).inNamespace("default").withName("vm-cirros").get()
                            .getStatus().printableStatus());
                }
                assertTrue(p.isAlive());
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "ControllerMain did not stop on SIGTERM");
                assertEquals(143, p.exitValue(), Files.readString(dir.resolve("controller.log")));
            } finally {
                if (p != null && p.isAlive()) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                server.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
