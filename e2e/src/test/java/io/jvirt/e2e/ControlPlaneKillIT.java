package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import io.jvirt.qemu.qmp.QmpClient;
import io.jvirt.qemu.qmp.QmpStatus;
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

    /**
     * With the control plane killed, a guest powers off (its ACPI power button over QEMU's own monitor socket:
     * nobody supervises it): QEMU keeps it in run state shutdown ({@code -no-shutdown}), so after {@code ./jvirt up}
     * its VMI is Succeeded and the RerunOnFailure VM stays stopped. Then an Always VM's QEMU killed with
     * {@code kill -9} makes its VMI Failed, and the VM runs again within 30 s; one QEMU per running VM throughout.
     */
    @Test
    void guestPowerOffWhileTheControlPlaneIsDownIsSucceededAndAKilledQemuRestartsAnAlwaysVm() throws Exception {
        try (JvirtUp jvirt = JvirtUp.start()) {
            Api api = Api.of(jvirt.kubeconfig());
            String manifest = Files.readString(JvirtUp.EXAMPLES.resolve("vm-cirros.yaml"));
            jvirt.kubectlWithInput(manifest.replace("vm-cirros", "vm-rerun").replace("runStrategy: Halted", "runStrategy: RerunOnFailure"),
                    "apply", "-f", "-");
            jvirt.kubectlWithInput(manifest.replace("vm-cirros", "vm-always").replace("runStrategy: Halted", "runStrategy: Always"),
                    "apply", "-f", "-");
            String rerun = runningAndReady(api, "vm-rerun");
            String always = runningAndReady(api, "vm-always");
            ProcessHandle rerunQemu = Guests.qemuOf(api, rerun);
            try (Api.Stream console = api.stream("vm-rerun", "console")) {
                console.awaitLogin(Duration.ofSeconds(120)); // acpid runs: the guest answers the power button
            }
            Path run = Guests.runDirectory(Guests.podUidOf(api, rerun));

            jvirt.killControlPlane();
            try (QmpClient qmp = QmpClient.connect(run.resolve("qmp.sock"), Duration.ofSeconds(10))) {
                qmp.systemPowerdown();
                Waits.until("the guest powered off, QEMU kept", Duration.ofSeconds(90),
                        () -> qmp.queryStatus().state() == QmpStatus.RunState.SHUTDOWN);
            }
            assertTrue(rerunQemu.isAlive(), "QEMU stays in run state shutdown until an agent ends it");

            jvirt.up();
            Api again = Api.of(jvirt.kubeconfig());
            Waits.until("vm-rerun's VMI Succeeded", Duration.ofSeconds(60), () -> {
                JsonNode v = again.vmi("vm-rerun");
                return v != null && rerun.equals(v.path("metadata").path("uid").asText())
                        && "Succeeded".equals(v.path("status").path("phase").asText());
            });
            Waits.until("vm-rerun's QEMU ended by the agent", Duration.ofSeconds(30), () -> !rerunQemu.isAlive());
            Waits.until("vm-rerun Stopped", Duration.ofSeconds(60),
                    () -> "Stopped".equals(again.vm("vm-rerun").path("status").path("printableStatus").asText()));
            assertEquals(always, runningAndReady(again, "vm-always"), "vm-always kept its VMI across the restart");

            ProcessHandle alwaysQemu = Guests.qemuOf(again, always);
            Guests.kill9(alwaysQemu);
            long killed = System.nanoTime();
            Waits.until("vm-always's VMI Failed or replaced", Duration.ofSeconds(30), () -> {
                JsonNode v = again.vmi("vm-always");
                return v == null || !always.equals(v.path("metadata").path("uid").asText()) || "Failed".equals(v.path("status").path("phase").asText());
            });
            String next = Waits.until("vm-always runs again", Duration.ofSeconds(30), () -> {
                JsonNode v = again.vmi("vm-always");
                return v != null && !always.equals(v.path("metadata").path("uid").asText()) && "Running".equals(v.path("status").path("phase").asText())
                        ? v.path("metadata").path("uid").asText() : null;
            });
            assertTrue(Duration.ofNanos(System.nanoTime() - killed).toSeconds() <= 30, "running again within 30 s");
            long nextQemu = Guests.qemuOf(again, next).pid();
            // the barrier: vm-always has been started again since vm-rerun's VMI ended, yet vm-rerun has no new VMI
            JsonNode rerunVmi = again.vmi("vm-rerun");
            assertTrue(rerunVmi == null || rerun.equals(rerunVmi.path("metadata").path("uid").asText()), "vm-rerun stays stopped: " + rerunVmi);
            assertEquals("Stopped", again.vm("vm-rerun").path("status").path("printableStatus").asText());
            String instance = jvirt.instanceId();
            assertEquals(List.of(nextQemu), Guests.podProcesses(instance).stream().filter(Guests::isQemu).toList(), "no duplicate QEMU");
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
