package io.jvirt.e2e;

import io.jvirt.api.ExampleDirs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance run: KubeVirt's own example manifests ({@link ExampleDirs#kubevirts()}), unmodified, through
 * {@code ./jvirt up} and the stock kubectl. vm-cirros started reaches Running and Ready and its console shows
 * the example's user data and {@code login:}; vmi-ephemeral and vmi-nocloud boot to {@code login:};
 * vmi-replicaset-cirros keeps three VMIs Running.
 */
@Tag(ExampleDirs.CONFORMANCE)
class KubevirtExamplesIT {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static JvirtUp jvirt;
    private static Api api;

    @BeforeAll
    static void up() throws Exception {
        ExampleDirs.kubevirts(); // fails clearly before anything starts when the reference is missing
        jvirt = JvirtUp.start();
        api = Api.of(jvirt.kubeconfig());
    }

    @AfterAll
    static void down() throws Exception {
        if (jvirt != null) {
            jvirt.close();
        }
    }

    private static String example(String name) {
        return ExampleDirs.kubevirts().resolve(name + ".yaml").toString();
    }

    @Test
    void vmCirrosStartsAndItsConsoleShowsItsUserDataAndLogin() throws Exception {
        jvirt.kubectl("apply", "-f", example("vm-cirros"));
        Waits.until("vm-cirros Stopped", Duration.ofSeconds(60), () -> "Stopped".equals(printable("vm-cirros")));
        Path empty = Files.writeString(jvirt.home().resolve("empty.json"), "");
        jvirt.kubectl("replace", "--raw", Api.SUB + "default/virtualmachines/vm-cirros/start", "-f", empty.toString());
        Waits.until("vm-cirros's VMI Running and Ready", BOOT, () -> {
            JsonNode v = api.vmi("vm-cirros");
            return v != null && "Running".equals(v.path("status").path("phase").asText()) && "True".equals(LifecycleIT.condition(v, "Ready"));
        });
        try (Api.Stream console = api.stream("vm-cirros", "console")) {
            console.awaitLogin(BOOT);
            assertTrue(console.text().contains("printed from cloud-init userdata"), console.text());
        }
        jvirt.kubectl("delete", "vm", "vm-cirros");
        Waits.until("vm-cirros's VMI gone", Duration.ofSeconds(60), () -> api.vmi("vm-cirros") == null);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vmi-ephemeral", "vmi-nocloud"})
    void vmiBootsToLogin(String name) throws Exception {
        jvirt.kubectl("apply", "-f", example(name));
        Waits.until(name + " Running", BOOT, () -> {
            JsonNode v = api.vmi(name);
            return v != null && "Running".equals(v.path("status").path("phase").asText());
        });
        try (Api.Stream console = api.stream(name, "console")) {
            console.awaitLogin(BOOT);
        }
        jvirt.kubectl("delete", "vmi", name);
        Waits.until(name + " gone", Duration.ofSeconds(60), () -> api.vmi(name) == null);
    }

    @Test
    void replicaSetKeepsThreeVmisRunning() throws Exception {
        jvirt.kubectl("apply", "-f", example("vmi-replicaset-cirros"));
        String selector = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances?labelSelector="
                + "kubevirt.io%2FvmReplicaSet%3Dvmi-replicaset-cirros";
        Waits.until("3 Running VMIs", BOOT, () -> {
            int running = 0;
            for (JsonNode v : api.get(selector).path("items")) {
                running += "Running".equals(v.path("status").path("phase").asText()) ? 1 : 0;
            }
            return running == 3;
        });
        assertEquals("3", jvirt.kubectl("get", "vmirs", "vmi-replicaset-cirros", "-o", "jsonpath={.status.replicas}").strip());
        jvirt.kubectl("delete", "vmirs", "vmi-replicaset-cirros");
        Waits.until("the replica set's VMIs gone", Duration.ofSeconds(60), () -> api.get(selector).path("items").isEmpty());
    }

    private static String printable(String vm) throws Exception {
        JsonNode v = api.vm(vm);
        return v == null ? null : v.path("status").path("printableStatus").asText();
    }
}
