package io.jvirt.handler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmiMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A VMI on node n1 in namespace ns. */
    private static final class Vmi {
        private final ObjectNode o = JSON.createObjectNode();

        Vmi(String name, String phase) {
            o.putObject("metadata").put("namespace", "ns").put("name", name).put("uid", "uid-" + name);
            o.putObject("status").put("phase", phase).put("nodeName", "n1");
            o.putObject("spec");
        }

        Vmi annotation(String key, String value) {
            ((ObjectNode) o.path("metadata")).with("annotations").put(key, value);
            return this;
        }

        Vmi label(String key, String value) {
            ((ObjectNode) o.path("metadata")).with("labels").put(key, value);
            return this;
        }

        JsonNode json() {
            return o;
        }
    }

    private static String text(List<JsonNode> vmis, Map<String, DomainReading> readings) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.builder().build().write(out, VmiMetrics.of("n1", vmis, uid -> uid.equals("uid-a") ? "virt-launcher-a-x" : null, readings));
        return out.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "one running          | Running           | kubevirt_vmi_phase_count{flavor=\"<none>\",guest_os_kernel_release=\"\",guest_os_machine=\"\",guest_os_name=\"\",guest_os_version_id=\"\",instance_type=\"<none>\",node=\"n1\",os=\"<none>\",phase=\"running\",preference=\"<none>\",workload=\"<none>\"} 1.0",
            "two running, one not | Running,Running,Scheduled | kubevirt_vmi_phase_count{flavor=\"<none>\",guest_os_kernel_release=\"\",guest_os_machine=\"\",guest_os_name=\"\",guest_os_version_id=\"\",instance_type=\"<none>\",node=\"n1\",os=\"<none>\",phase=\"running\",preference=\"<none>\",workload=\"<none>\"} 2.0",
            "scheduled counted    | Running,Running,Scheduled | kubevirt_vmi_phase_count{flavor=\"<none>\",guest_os_kernel_release=\"\",guest_os_machine=\"\",guest_os_name=\"\",guest_os_version_id=\"\",instance_type=\"<none>\",node=\"n1\",os=\"<none>\",phase=\"scheduled\",preference=\"<none>\",workload=\"<none>\"} 1.0",
    })
    void phaseCountIsPerNodeAndLowerCasePhase(String name, String phases, String line) throws Exception {
        List<JsonNode> vmis = new java.util.ArrayList<>();
        String[] p = phases.split(",");
        for (int i = 0; i < p.length; i++) vmis.add(new Vmi("v" + i, p[i]).json());
        String text = text(vmis, Map.of());
        assertTrue(text.lines().anyMatch(line::equals), text);
        assertEquals(p.length, text.lines().filter(l -> l.startsWith("kubevirt_vmi_info{")).count(), text);
    }

    @Test
    void osWorkloadFlavorFromKubeVirtsAnnotationsAndTheLauncherPod() throws Exception {
        JsonNode vmi = new Vmi("a", "Running").annotation("vm.kubevirt.io/os", "fedora").annotation("vm.kubevirt.io/workload", "server")
                .annotation("vm.kubevirt.io/flavor", "tiny").json();
        String text = text(List.of(vmi), Map.of());
        assertTrue(text.contains("kubevirt_vmi_phase_count{flavor=\"tiny\",guest_os_kernel_release=\"\",guest_os_machine=\"\",guest_os_name=\"\","
                + "guest_os_version_id=\"\",instance_type=\"<none>\",node=\"n1\",os=\"fedora\",phase=\"running\",preference=\"<none>\",workload=\"server\"} 1.0"), text);
        assertTrue(text.contains("kubevirt_vmi_info{evictable=\"true\",flavor=\"tiny\",guest_os_arch=\"\",guest_os_kernel_release=\"\",guest_os_machine=\"\","
                + "guest_os_name=\"\",guest_os_version_id=\"\",instance_type=\"<none>\",name=\"a\",namespace=\"ns\",node=\"n1\",os=\"fedora\",outdated=\"false\","
                + "phase=\"running\",preference=\"<none>\",vmi_pod=\"virt-launcher-a-x\",workload=\"server\"} 1"), text);
        assertTrue(text.contains("# TYPE kubevirt_vmi_info gauge"), text);
    }

    @Test
    void domainFiguresCarryTheVmiLabelsAndNothingIsReportedThatWasNotRead() throws Exception {
        JsonNode vmi = new Vmi("a", "Running").label("kubevirt.io/domain", "a").label("app", "web").json();
        DomainReading read = new DomainReading(Optional.of(new ProcStats.CpuTime(3.0, 1.5)), OptionalLong.of(52_428_800), OptionalLong.of(134_217_728),
                List.of(new DomainReading.Vcpu(0, new ProcStats.CpuTime(2.0, 0.25))),
                List.of(new DomainReading.Drive("containerdisk", 1000, 200, 10, 2, 3_000_000_000L, 500_000_000L, 1, 1_000_000)));
        JsonNode unread = new Vmi("b", "Running").json();
        String text = text(List.of(vmi, unread), Map.of("ns/a", read));
        String l = "kubernetes_vmi_label_app=\"web\",kubernetes_vmi_label_kubevirt_io_domain=\"a\",name=\"a\",namespace=\"ns\",node=\"n1\"";
        for (String line : List.of(
                "kubevirt_vmi_memory_resident_bytes{" + l + "} 5.24288E7",
                "kubevirt_vmi_memory_domain_bytes{" + l + "} 1.34217728E8",
                "kubevirt_vmi_cpu_usage_seconds_total{" + l + "} 4.5",
                "kubevirt_vmi_cpu_user_usage_seconds_total{" + l + "} 3.0",
                "kubevirt_vmi_cpu_system_usage_seconds_total{" + l + "} 1.5",
                "kubevirt_vmi_vcpu_seconds_total{id=\"0\"," + l + ",state=\"running\"} 2.25",
                "kubevirt_vmi_storage_read_traffic_bytes_total{drive=\"containerdisk\"," + l + "} 1000.0",
                "kubevirt_vmi_storage_write_traffic_bytes_total{drive=\"containerdisk\"," + l + "} 200.0",
                "kubevirt_vmi_storage_iops_read_total{drive=\"containerdisk\"," + l + "} 10.0",
                "kubevirt_vmi_storage_iops_write_total{drive=\"containerdisk\"," + l + "} 2.0",
                "kubevirt_vmi_storage_read_times_seconds_total{drive=\"containerdisk\"," + l + "} 3.0",
                "kubevirt_vmi_storage_write_times_seconds_total{drive=\"containerdisk\"," + l + "} 0.5",
                "kubevirt_vmi_storage_flush_requests_total{drive=\"containerdisk\"," + l + "} 1.0",
                "kubevirt_vmi_storage_flush_times_seconds_total{drive=\"containerdisk\"," + l + "} 0.001")) {
            assertTrue(text.lines().anyMatch(line::equals), line + "\n" + text);
        }
        assertTrue(text.lines().noneMatch(x -> x.startsWith("kubevirt_vmi_") && x.contains("name=\"b\"") && !x.startsWith("kubevirt_vmi_info")), text);
    }

    @Test
    void labelKeysThatSanitizeAlikeGiveOneLabel() throws Exception {
        JsonNode vmi = new Vmi("a", "Running").label("app.tier", "x").label("app-tier", "y").json();
        DomainReading read = new DomainReading(Optional.empty(), OptionalLong.of(4096), OptionalLong.empty(), List.of(), List.of());
        String text = text(List.of(vmi), Map.of("ns/a", read));
        assertTrue(text.contains("kubevirt_vmi_memory_resident_bytes{kubernetes_vmi_label_app_tier=\"x\",name=\"a\",namespace=\"ns\",node=\"n1\"} 4096.0"), text);
    }

    @Test
    void aVmiAskingForLiveMigrationThatCannotMigrateIsNotEvictable() throws Exception {
        Vmi v = new Vmi("a", "Running");
        ((ObjectNode) v.json().path("spec")).put("evictionStrategy", "LiveMigrate");
        ((ObjectNode) v.json().path("status")).putArray("conditions").addObject().put("type", "LiveMigratable").put("status", "False");
        assertTrue(text(List.of(v.json()), Map.of()).contains("evictable=\"false\""));
    }
}
