package io.jvirt.handler.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * KubeVirt's VMI metrics of one node, with KubeVirt's names, types and labels, from the VMIs on the node and what
 * was read of their QEMUs ({@link DomainReading}):
 * <ul>
 *   <li>from the VMI objects: {@code kubevirt_vmi_phase_count} (VMIs per node, phase in lower case as KubeVirt
 *       writes it, os, workload, flavor, instance type, preference, guest OS) and {@code kubevirt_vmi_info};</li>
 *   <li>from QEMU, labelled node, namespace, name and {@code kubernetes_vmi_label_<label>} for each VMI label:
 *       {@code kubevirt_vmi_memory_resident_bytes}, {@code _memory_domain_bytes}, {@code _cpu_usage_seconds_total}
 *       (and its user and system parts), {@code _vcpu_seconds_total} (id, state), {@code _storage_*} (drive).</li>
 * </ul>
 * A pure function of its inputs; thread-safe.
 */
final class VmiMetrics {
    static final String NONE = "<none>";
    private static final String ANNOTATION = "vm.kubevirt.io/";

    private VmiMetrics() {}

    /**
     * @param vmis the VMIs whose {@code status.nodeName} is {@code node}
     * @param podOfVmi the launcher pod name of a VMI uid, or null
     * @param readings what was read of each running VMI's QEMU, by {@code namespace/name}
     */
    static MetricSnapshots of(String node, List<JsonNode> vmis, Function<String, String> podOfVmi, Map<String, DomainReading> readings) {
        Families f = new Families();
        Map<Labels, Integer> phases = new TreeMap<>();
        for (JsonNode vmi : vmis) {
            JsonNode meta = vmi.path("metadata");
            JsonNode status = vmi.path("status");
            JsonNode annotations = meta.path("annotations");
            JsonNode guest = status.path("guestOSInfo");
            String phase = status.path("phase").asText("").toLowerCase(Locale.ROOT);
            Labels common = Labels.of("node", node, "phase", phase,
                    "os", text(annotations, ANNOTATION + "os"), "workload", text(annotations, ANNOTATION + "workload"),
                    "flavor", text(annotations, ANNOTATION + "flavor"),
                    "instance_type", text(annotations, "kubevirt.io/instancetype-name", "kubevirt.io/cluster-instancetype-name"),
                    "preference", text(annotations, "kubevirt.io/preference-name", "kubevirt.io/cluster-preference-name"),
                    "guest_os_kernel_release", guest.path("kernelRelease").asText(""),
                    "guest_os_name", guest.path("name").asText(""), "guest_os_version_id", guest.path("versionId").asText(""));
            // as KubeVirt: guest_os_machine is the guest agent's machine in the phase count, the machine type in the info
            phases.merge(common.add("guest_os_machine", guest.path("machine").asText("")), 1, Integer::sum);
            String pod = podOfVmi.apply(meta.path("uid").asText(""));
            f.info("kubevirt_vmi", "Information about VirtualMachineInstances.", common.merge(Labels.of(
                    "namespace", meta.path("namespace").asText(), "name", meta.path("name").asText(),
                    "guest_os_machine", status.path("machine").path("type").asText(""), "guest_os_arch", guest.path("machine").asText(""),
                    "evictable", Boolean.toString(evictable(vmi)),
                    "outdated", Boolean.toString(meta.path("labels").has("kubevirt.io/outdatedLauncherImage")),
                    "vmi_pod", pod == null ? "" : pod)));
            DomainReading r = readings.get(meta.path("namespace").asText() + "/" + meta.path("name").asText());
            if (r != null) domain(f, vmiLabels(node, meta), r);
        }
        phases.forEach((labels, count) -> f.gauge("kubevirt_vmi_phase_count", "Sum of VMIs per phase and node.", labels, count));
        return f.snapshots();
    }

    private static void domain(Families f, Labels vmi, DomainReading r) {
        r.residentBytes().ifPresent(v -> f.gauge("kubevirt_vmi_memory_resident_bytes", "Resident set size of the process running the domain.", vmi, v));
        r.domainBytes().ifPresent(v -> f.gauge("kubevirt_vmi_memory_domain_bytes", "The amount of memory in bytes allocated to the domain.", vmi, v));
        r.cpu().ifPresent(c -> {
            f.counter("kubevirt_vmi_cpu_usage_seconds", "Total CPU time spent in all modes (sum of both vcpu and hypervisor usage).", vmi, c.totalSeconds());
            f.counter("kubevirt_vmi_cpu_user_usage_seconds", "Total CPU time spent in user mode.", vmi, c.userSeconds());
            f.counter("kubevirt_vmi_cpu_system_usage_seconds", "Total CPU time spent in system mode.", vmi, c.systemSeconds());
        });
        for (DomainReading.Vcpu v : r.vcpus()) {
            f.counter("kubevirt_vmi_vcpu_seconds", "Total amount of time spent in each state by each vcpu (cpu_time excluding hypervisor time).",
                    vmi.merge(Labels.of("id", Integer.toString(v.id()), "state", "running")), v.time().totalSeconds());
        }
        for (DomainReading.Drive d : r.drives()) {
            Labels l = vmi.merge(Labels.of("drive", d.name()));
            f.counter("kubevirt_vmi_storage_read_traffic_bytes", "Total number of bytes read from storage.", l, d.readBytes());
            f.counter("kubevirt_vmi_storage_write_traffic_bytes", "Total number of written bytes.", l, d.writtenBytes());
            f.counter("kubevirt_vmi_storage_iops_read", "Total number of I/O read operations.", l, d.readOps());
            f.counter("kubevirt_vmi_storage_iops_write", "Total number of I/O write operations.", l, d.writeOps());
            f.counter("kubevirt_vmi_storage_read_times_seconds", "Total time spent on read operations.", l, d.readNanos() / 1e9);
            f.counter("kubevirt_vmi_storage_write_times_seconds", "Total time spent on write operations.", l, d.writeNanos() / 1e9);
            f.counter("kubevirt_vmi_storage_flush_requests", "Total storage flush requests.", l, d.flushOps());
            f.counter("kubevirt_vmi_storage_flush_times_seconds", "Total time spent on cache flushing.", l, d.flushNanos() / 1e9);
        }
    }

    /**
     * node, namespace, name and each VMI label as {@code kubernetes_vmi_label_<key with . / - as _>}, as KubeVirt's
     * domain stats; of two keys that become the same name the first one wins.
     */
    static Labels vmiLabels(String node, JsonNode meta) {
        Map<String, String> labels = new TreeMap<>();
        meta.path("labels").properties().forEach(e -> labels.putIfAbsent(
                "kubernetes_vmi_label_" + e.getKey().replace('.', '_').replace('/', '_').replace('-', '_'), e.getValue().asText()));
        labels.put("node", node);
        labels.put("namespace", meta.path("namespace").asText());
        labels.put("name", meta.path("name").asText());
        return Labels.of(new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()));
    }

    /** KubeVirt's rule: not evictable when its eviction strategy asks for live migration and it is not migratable. */
    private static boolean evictable(JsonNode vmi) {
        if (!"LiveMigrate".equals(vmi.path("spec").path("evictionStrategy").asText())) return true;
        for (JsonNode c : vmi.path("status").path("conditions")) {
            if (c.path("type").asText().equals("LiveMigratable")) return c.path("status").asText().equals("True");
        }
        return false;
    }

    private static String text(JsonNode annotations, String... keys) {
        for (String k : keys) {
            if (annotations.hasNonNull(k)) return annotations.path(k).asText();
        }
        return NONE;
    }

    /** Data points gathered by family, in the order families first appear. */
    private static final class Families {
        private final Map<String, MetricSnapshot.Builder<?>> families = new LinkedHashMap<>();

        void gauge(String name, String help, Labels labels, double value) {
            ((GaugeSnapshot.Builder) families.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help)))
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        /** {@code name} without {@code _total}, which the exposition adds. */
        void counter(String name, String help, Labels labels, double value) {
            ((CounterSnapshot.Builder) families.computeIfAbsent(name, n -> CounterSnapshot.builder().name(n).help(help)))
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        /** {@code name} without {@code _info}, which the exposition adds. */
        void info(String name, String help, Labels labels) {
            ((InfoSnapshot.Builder) families.computeIfAbsent(name, n -> InfoSnapshot.builder().name(n).help(help)))
                    .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(labels).build());
        }

        MetricSnapshots snapshots() {
            return new MetricSnapshots(families.values().stream().map(MetricSnapshot.Builder::build).toList());
        }
    }
}
