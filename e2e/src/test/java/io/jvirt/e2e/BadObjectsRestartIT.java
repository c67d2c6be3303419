package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.store.ObjectKey;
import io.jvirt.store.SqliteStore;
import io.jvirt.store.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: objects the controllers cannot read or run, in the store when the control plane starts,
 * do not keep {@code ./jvirt up} from being ready nor stop VM/VMI handling. With the stock kubectl: a
 * VMI and a VM with memory {@code 1Ei} (valid in Kubernetes, more than any node has), a VM and a pod
 * that become unreadable — a VM whose template memory is {@code 1.5.5Gi} and a launcher-labelled pod
 * bound to the node whose {@code containers} is a string. Then {@code ./jvirt down}, {@code ./jvirt up}:
 * ready, and a new VMI boots and runs.
 *
 * <p>How the unreadable objects get there: today's admission refuses them, so the test creates valid
 * ones with kubectl and, while jvirt is down, rewrites them in the store (the SQLite file under
 * {@code $JVIRT_HOME/store}) to what an older version of the API server admitted and stored.
 */
class BadObjectsRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void upIsReadyAndANewVmiRunsWithBadObjectsInTheStore() throws Exception {
        try (JvirtUp jvirt = JvirtUp.start()) {
            String node = jvirt.kubectl("get", "nodes", "-o", "jsonpath={.items[0].metadata.name}").strip();
            jvirt.kubectlWithInput(vmi("huge-1ei", "1Ei").toString(), "create", "-f", "-");
            jvirt.kubectlWithInput(vm("vm-1ei", "1Ei", "Always").toString(), "create", "-f", "-");
            jvirt.kubectlWithInput(vm("vm-bad", "64Mi", "Halted").toString(), "create", "-f", "-");
            jvirt.kubectlWithInput("""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd-pod","namespace":"default"},
                     "spec":{"schedulerName":"nobody","containers":[{"name":"c","image":"none"}]}}
                    """, "create", "-f", "-");
            Api api = Api.of(jvirt.kubeconfig());
            Waits.until("vm-1ei ErrorUnschedulable", Duration.ofSeconds(90),
                    () -> "ErrorUnschedulable".equals(api.vm("vm-1ei").path("status").path("printableStatus").asText()));

            assertEquals(0, jvirt.jvirt("down").exit());
            try (SqliteStore store = SqliteStore.open(StoreConfig.defaults(jvirt.home().resolve("store").resolve("objects.db")))) {
                store.update(new ObjectKey("kubevirt.io", "virtualmachines", "default", "vm-bad"), current -> rewrite(current.json(), o ->
                        ((ObjectNode) o.path("spec").path("template").path("spec").path("domain").path("memory")).put("guest", "1.5.5Gi")));
                store.update(new ObjectKey("", "pods", "default", "odd-pod"), current -> rewrite(current.json(), o -> {
                    ((ObjectNode) o.path("metadata")).putObject("labels").put("kubevirt.io", "virt-launcher");
                    ((ObjectNode) o.path("spec")).put("nodeName", node).put("containers", "not-a-list");
                }));
            }

            jvirt.up(); // fails the test with the log when not ready in time
            Api again = Api.of(jvirt.kubeconfig());
            jvirt.kubectlWithInput(vmi("good", "128Mi").toString(), "create", "-f", "-");
            try {
                Waits.until("VMI good Running", Duration.ofSeconds(240), () -> "Running".equals(again.vmi("good").path("status").path("phase").asText()));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + jvirt.kubectl("get", "vmi,vm,pods", "-o", "wide") + "\n"
                        + jvirt.kubectl("get", "events") + "\nlog:\n" + jvirt.log(), e);
            }
            Waits.until("vm-bad says why", Duration.ofSeconds(60), () -> again.vm("vm-bad").path("status").path("conditions").toString()
                    .contains("quantity '1.5.5Gi' is not valid"));
            String events = jvirt.kubectl("get", "events", "-o", "json");
            assertTrue(events.contains("spec.containers"), "the pod is reported as unreadable: " + events);
            assertEquals("ErrorUnschedulable", again.vm("vm-1ei").path("status").path("printableStatus").asText());
            JsonNode unschedulable = again.vmi("huge-1ei").path("status").path("conditions");
            assertTrue(unschedulable.toString().contains("Insufficient memory"), unschedulable.toString());
            assertTrue(!jvirt.log().contains("will stop"), "no informer stopped:\n" + jvirt.log());
        }
    }

    private static byte[] rewrite(byte[] json, java.util.function.Consumer<ObjectNode> change) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(json);
            change.accept(o);
            return o.toString().getBytes(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A VMI like KubeVirt's vmi-ephemeral example (the demo containerDisk) with this guest memory. */
    private static ObjectNode vmi(String name, String memory) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"%s","namespace":"default"},
                 "spec":{"domain":{"devices":{"disks":[{"disk":{"bus":"virtio"},"name":"containerdisk"}]},"memory":{"guest":"%s"},
                 "resources":{}},"terminationGracePeriodSeconds":0,
                 "volumes":[{"containerDisk":{"image":"registry:5000/kubevirt/cirros-container-disk-demo:devel"},"name":"containerdisk"}]}}
                """.formatted(name, memory));
    }

    private static ObjectNode vm(String name, String memory, String runStrategy) throws Exception {
        ObjectNode vm = (ObjectNode) JSON.readTree("""
                {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"%s","namespace":"default"},
                 "spec":{"runStrategy":"%s","template":{"metadata":{"labels":{"kubevirt.io/vm":"%s"}}}}}
                """.formatted(name, runStrategy, name));
        ((ObjectNode) vm.path("spec").path("template")).set("spec", vmi(name, memory).get("spec"));
        return vm;
    }
}
