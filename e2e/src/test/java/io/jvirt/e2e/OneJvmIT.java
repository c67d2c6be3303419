package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * No JVM per VM: with {@value #VMIS} VMIs Running, this instance runs exactly one JVM (the control plane) and
 * {@value #VMIS} QEMU processes, each its launcher pod's one process: uid 107, seccomp filter on, in its pod's
 * network namespace and memory cgroup; and QEMU's user cannot read the control plane's tokens or store.
 */
class OneJvmIT {
    static final int VMIS = 10;

    @Test
    void tenRunningVmisAreOneJvmAndTenUnprivilegedQemus() throws Exception {
        try (JvirtUp jvirt = JvirtUp.start()) {
            Api api = Api.of(jvirt.kubeconfig());
            String manifest = Files.readString(JvirtUp.EXAMPLES.resolve("vmi-ephemeral.yaml"));
            for (int i = 0; i < VMIS; i++) {
                jvirt.kubectlWithInput(manifest.replace("name: vmi-ephemeral", "name: vmi-" + i), "apply", "-f", "-");
            }
            List<String> uids = new ArrayList<>();
            for (int i = 0; i < VMIS; i++) {
                String name = "vmi-" + i;
                uids.add(Waits.until(name + " Running", Duration.ofMinutes(5), () -> {
                    JsonNode v = api.vmi(name);
                    return v != null && "Running".equals(v.path("status").path("phase").asText()) ? v.path("metadata").path("uid").asText() : null;
                }));
            }

            long controlPlane = Long.parseLong(Files.readString(jvirt.home().resolve("jvirt.pid")).strip());
            List<Long> jvms = jvirt.processes().stream().filter(OneJvmIT::isJvm).toList();
            assertEquals(List.of(controlPlane), jvms, "exactly one JVM of this instance: the control plane");

            String instance = jvirt.instanceId();
            List<Long> inPods = Guests.podProcesses(instance);
            assertEquals(VMIS, inPods.size(), "one process per launcher pod: " + inPods);
            assertTrue(inPods.stream().allMatch(Guests::isQemu), "every pod's process is QEMU: " + inPods);

            TreeSet<Long> qemus = new TreeSet<>();
            for (String vmiUid : uids) {
                long qemu = Guests.qemuOf(api, vmiUid).pid();
                qemus.add(qemu);
                String podUid = Guests.podUidOf(api, vmiUid);
                LifecycleIT.assertUnprivileged(qemu);
                String netns = "jvirt-" + instance + "-" + podUid.replace("-", "").substring(0, 12);
                assertEquals("net:[" + Files.readAttributes(Path.of("/run/netns", netns), "unix:ino").get("ino") + "]",
                        Files.readSymbolicLink(Path.of("/proc/" + qemu + "/ns/net")).toString(), "QEMU " + qemu + " in its pod's netns " + netns);
                assertTrue(Files.readString(Path.of("/proc/" + qemu + "/cgroup")).contains("memory:/jvirt/" + instance + "-" + podUid),
                        "QEMU " + qemu + " in its pod's memory cgroup");
            }
            assertEquals(new TreeSet<>(inPods), qemus, "the QEMUs in the pods are the VMIs' QEMUs, one each");
            LifecycleIT.assertQemusUserCannotRead(jvirt.home().resolve("tokens.csv"), jvirt.home().resolve("store/objects.db"));

            jvirt.kubectl("delete", "vmis", "--all", "--wait=false");
            Waits.until("every QEMU gone", Duration.ofMinutes(2), () -> qemus.stream().noneMatch(p -> ProcessHandle.of(p).isPresent()));
        }
    }

    /** True when process {@code pid} runs a Java virtual machine. */
    private static boolean isJvm(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).getFileName().toString().equals("java");
        } catch (Exception gone) {
            return false;
        }
    }
}
