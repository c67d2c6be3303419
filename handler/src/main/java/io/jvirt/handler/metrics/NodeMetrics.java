package io.jvirt.handler.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.handler.relay.RelayServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The node agent's metrics endpoint content: KubeVirt's VMI metrics ({@link VmiMetrics}) of this node in
 * Prometheus' text format, collected at each scrape as virt-handler does: the VMIs come from an informer (those
 * whose {@code status.nodeName} is this node), their QEMUs from the {@link DomainStatsSource}; and the node's and its
 * pods' usage for {@code kubectl top} ({@link UsageSampler}, every 10 s). {@link #start} starts the informer and the
 * sampler, {@link #close} stops them. Thread-safe.
 */
public final class NodeMetrics implements RelayServer.NodeMetricsText, AutoCloseable {
    /** Prometheus' text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final ResourceDefinitionContext vmiType;
    private final String nodeName;
    private final DomainStatsSource domains;
    private final Function<String, String> podOfVmi;
    private final ProcStats proc = new ProcStats(Path.of("/proc"));
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder().build();
    private final UsageSampler usage;
    private volatile SharedIndexInformer<GenericKubernetesResource> informer;

    /**
     * @param vmiType the VirtualMachineInstance resource
     * @param podOfVmi the name of the launcher pod this node runs for a VMI uid, or null
     * @param runningPods the pods this node runs now, with their processes
     */
    public NodeMetrics(KubernetesClient client, ResourceDefinitionContext vmiType, String nodeName, DomainStatsSource domains,
                       Function<String, String> podOfVmi, java.util.function.Supplier<List<UsageSampler.RunningPod>> runningPods) {
        this.usage = new UsageSampler(runningPods, java.time.Duration.ofSeconds(10));
        this.client = client;
        this.vmiType = vmiType;
        this.nodeName = nodeName;
        this.domains = domains;
        this.podOfVmi = podOfVmi;
    }

    public void start() {
        informer = client.genericKubernetesResources(vmiType).inAnyNamespace().inform();
        usage.start();
    }

    @Override
    public java.util.Optional<byte[]> usage() {
        return usage.usage().map(u -> {
            try {
                return JSON.writeValueAsBytes(u);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Every metric of this node now. */
    @Override
    public byte[] scrape() throws InterruptedException {
        SharedIndexInformer<GenericKubernetesResource> i = informer;
        List<JsonNode> vmis = i == null ? List.of() : i.getStore().list().stream().<JsonNode>map(JSON::valueToTree)
                .filter(v -> nodeName.equals(v.path("status").path("nodeName").asText()))
                .sorted(java.util.Comparator.comparing(v -> v.path("metadata").path("namespace").asText() + "/" + v.path("metadata").path("name").asText()))
                .toList();
        Map<String, DomainReading> readings = new HashMap<>();
        for (DomainStatsSource.Domain d : domains.domains()) {
            readings.put(d.namespace() + "/" + d.name(), DomainReading.read(d, proc));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 * 1024);
        try {
            writer.write(out, VmiMetrics.of(nodeName, vmis, podOfVmi, readings));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        usage.close();
        SharedIndexInformer<GenericKubernetesResource> i = informer;
        if (i != null) i.close();
    }
}
