package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's acceptance through {@code ./jvirt up}, the stock kubectl, {@code ./virtctl} and real guests: a VM sized
 * by the project's instancetype example has its CPUs and memory in the VMI and in the guest ({@code nproc},
 * {@code /proc/meminfo}) and keeps them after the instancetype is edited; the common instancetypes are listed;
 * {@code virtctl create vm --instancetype u1.small} boots to {@code login:}; the pool example keeps two VMs
 * {@code vm-pool-0} and {@code vm-pool-1} running, scales in, and replaces a deleted member under its name.
 */
class InstancetypesIT {
    private static final Duration BOOT = Duration.ofSeconds(240);
    private static JvirtUp jvirt;
    private static Api api;

    @BeforeAll
    static void up() throws Exception {
        jvirt = JvirtUp.start();
        api = Api.of(jvirt.kubeconfig());
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) jvirt.close();
    }

    private static String example(String name) {
        return JvirtUp.EXAMPLES.resolve(name + ".yaml").toString();
    }

    private static JsonNode runningVmi(String name) throws Exception {
        Waits.until(name + " Running", BOOT, () -> {
            JsonNode v = api.vmi(name);
            return v != null && "Running".equals(v.path("status").path("phase").asText());
        });
        return api.vmi(name);
    }

    @Test
    void theInstancetypeSizesTheGuestAndItsCapturedRevisionOutlivesAnEdit() throws Exception {
        jvirt.kubectl("apply", "-f", example("vm-instancetype"));
        jvirt.virtctl("start", "vm-instancetype");
        JsonNode vmi = runningVmi("vm-instancetype");
        assertEquals(2, vmi.path("spec").path("domain").path("cpu").path("sockets").asInt());
        assertEquals("192Mi", vmi.path("spec").path("domain").path("memory").path("guest").asText());
        assertTrue(jvirt.kubectl("get", "vmi", "vm-instancetype", "-o", "yaml").contains("guest: 192Mi"));
        try (Api.Stream console = api.stream("vm-instancetype", "console")) {
            console.login(BOOT);
            assertEquals(2, console.number("nproc", "CPUS"));
            long memTotalKiB = console.number("grep MemTotal /proc/meminfo | tr -dc 0-9", "MEMKB");
            // the kernel keeps ~50 MiB for itself and the initramfs: more than 128Mi shows the 192Mi, not a smaller default
            assertTrue(memTotalKiB > 128 * 1024 && memTotalKiB <= 192 * 1024, "MemTotal " + memTotalKiB + " kB for 192Mi");
        }
        jvirt.kubectl("patch", "vminstancetype", "demo-2cpu", "--type", "merge", "-p", "{\"spec\":{\"memory\":{\"guest\":\"256Mi\"}}}");
        String uid = vmi.path("metadata").path("uid").asText();
        jvirt.virtctl("restart", "vm-instancetype");
        Waits.until("a new VMI", BOOT, () -> {
            JsonNode v = api.vmi("vm-instancetype");
            return v != null && !uid.equals(v.path("metadata").path("uid").asText()) && "Running".equals(v.path("status").path("phase").asText());
        });
        assertEquals("192Mi", api.vmi("vm-instancetype").path("spec").path("domain").path("memory").path("guest").asText(),
                "the restarted VM keeps the revision it captured");
        jvirt.kubectl("delete", "vm", "vm-instancetype");
        Waits.until("vm-instancetype gone", Duration.ofSeconds(120), () -> api.vmi("vm-instancetype") == null && api.vm("vm-instancetype") == null);
    }

    @Test
    void virtctlCreatesAVmOfACommonInstancetypeThatBoots() throws Exception {
        String list = jvirt.kubectl("get", "virtualmachineclusterinstancetypes");
        for (String name : List.of("u1.nano", "u1.micro", "u1.small", "u1.medium", "u1.large")) {
            assertTrue(list.lines().anyMatch(l -> l.startsWith(name + " ")), name + ":\n" + list);
        }
        JvirtUp.Result manifest = jvirt.virtctl("create", "vm", "--name", "vm-small", "--instancetype", "u1.small",
                "--volume-containerdisk", "src:quay.io/kubevirt/cirros-container-disk-demo");
        assertEquals(0, manifest.exit(), manifest.out());
        jvirt.kubectlWithInput(manifest.out(), "apply", "-f", "-");
        JsonNode vmi = runningVmi("vm-small");
        assertEquals("2Gi", vmi.path("spec").path("domain").path("memory").path("guest").asText());
        try (Api.Stream console = api.stream("vm-small", "console")) {
            console.awaitLogin(BOOT);
        }
        jvirt.kubectl("delete", "vm", "vm-small");
        Waits.until("vm-small gone", Duration.ofSeconds(120), () -> api.vmi("vm-small") == null);
    }

    private static List<String> runningPoolVmis() throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode v : api.get("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances?labelSelector=app%3Dvm-pool").path("items")) {
            if ("Running".equals(v.path("status").path("phase").asText()) && v.path("metadata").path("deletionTimestamp").isMissingNode()) {
                names.add(v.path("metadata").path("name").asText());
            }
        }
        return names.stream().sorted().toList();
    }

    @Test
    void thePoolRunsScalesAndReplacesItsVms() throws Exception {
        jvirt.kubectl("apply", "-f", example("vm-pool"));
        Waits.until("vm-pool-0 and vm-pool-1 Running", BOOT, () -> runningPoolVmis().equals(List.of("vm-pool-0", "vm-pool-1")));
        String uid = api.vm("vm-pool-1").path("metadata").path("uid").asText();
        jvirt.kubectl("delete", "vm", "vm-pool-1", "--wait=false");
        Waits.until("vm-pool-1 replaced and Running", BOOT, () -> {
            JsonNode vm = api.vm("vm-pool-1");
            return vm != null && !uid.equals(vm.path("metadata").path("uid").asText()) && runningPoolVmis().equals(List.of("vm-pool-0", "vm-pool-1"));
        });
        jvirt.kubectl("scale", "vmpool", "vm-pool", "--replicas=1");
        Waits.until("one pool VM left", BOOT, () -> runningPoolVmis().size() == 1
                && api.get("/apis/kubevirt.io/v1/namespaces/default/virtualmachines?labelSelector=app%3Dvm-pool").path("items").size() == 1);
        String row = jvirt.kubectl("get", "vmpool", "vm-pool", "--no-headers");
        assertTrue(row.matches("(?s)vm-pool\\s+1\\s+1\\s+\\d+\\s+.*"), row);
        assertNotEquals("", jvirt.kubectl("get", "vmpool", "vm-pool", "-o", "jsonpath={.status.labelSelector}"));
        jvirt.kubectl("delete", "vmpool", "vm-pool");
    }
}
