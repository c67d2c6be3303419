package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the jvirt control plane while two VMs run: the guests keep running, and after
 * {@code ./jvirt up} the same VMIs (same UIDs) are Running again with the same QEMU processes, no
 * duplicates, and their consoles answer through the restarted relay.
 */
class ControlPlaneKillIT {
    private static final List<String> VMS = List.of("vm-a", "vm-b");

    @Test
    void guestsSurviveAKilledControlPlaneAndAreReadoptedByTheNextUp() throws Exception {
        try (JvirtUp jvirt = JvirtUp.start()) {
            Api api = Api.of(jvirt.kubeconfig());
            String manifest = Files.readString(JvirtUp.EXAMPLES.resolve("vm-cirros.yaml")).replace("runStrategy: Halted", "runStrategy: Always");
            for (String vm : VMS) {
                jvirt.kubectlWithInput(manifest.replace("vm-cirros", vm), "apply", "-f", "-");
            }
            Map<String, String> uids = new TreeMap<>();
            Map<String, ProcessHandle> qemus = new TreeMap<>();
            for (String vm : VMS) {
                uids.put(vm, runningAndReady(api, vm));
                qemus.put(vm, Guests.qemuOf(api, uids.get(vm)));
                try (Api.Stream console = api.stream(vm, "console")) {
                    console.awaitLogin(Duration.ofSeconds(120));
                }
            }

            jvirt.killControlPlane();
            Thread.sleep(3000);
            qemus.forEach((vm, q) -> assertTrue(q.isAlive(), vm + "'s QEMU died with the control plane"));

            jvirt.up();
            Api again = Api.of(jvirt.kubeconfig());
            for (String vm : VMS) {
                assertEquals(uids.get(vm), runningAndReady(again, vm), vm + " has the same VMI after the restart");
                Waits.until(vm + " Running", Duration.ofSeconds(60),
                        () -> "Running".equals(again.vm(vm).path("status").path("printableStatus").asText()));
                assertEquals(qemus.get(vm).pid(), Guests.qemuOf(again, uids.get(vm)).pid(), vm + " keeps its QEMU");
                try (Api.Stream console = again.stream(vm, "console")) {
                    console.awaitLogin(Duration.ofSeconds(60));
                }
            }
            Thread.sleep(5000); // give a duplicate the time to appear, if anything would make one
            JsonNode vmis = again.get("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances").path("items");
            assertEquals(2, vmis.size(), "no duplicate VMI: " + vmis);
            JsonNode pods = again.get("/api/v1/namespaces/default/pods").path("items");
            assertEquals(2, pods.size(), "no duplicate launcher pod");
            List<Long> running = new ArrayList<>();
            for (JsonNode pod : pods) {
                Guests.qemu(pod.path("metadata").path("uid").asText()).ifPresent(p -> running.add(p.pid()));
            }
            assertEquals(qemus.values().stream().map(ProcessHandle::pid).sorted().toList(), running.stream().sorted().toList(),
                    "exactly the two original QEMUs run");
        }
    }

    private static String runningAndReady(Api api, String vm) throws Exception {
        return Waits.until(vm + "'s VMI Running and Ready", Duration.ofSeconds(150), () -> {
            JsonNode v = api.vmi(vm);
            return v != null && "Running".equals(v.path("status").path("phase").asText())
                    && "True".equals(LifecycleIT.condition(v, "Ready")) ? v.path("metadata").path("uid").asText() : null;
        });
    }
}
