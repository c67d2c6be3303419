package io.jvirt.controller.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.v1.KubeVirtSettings;
import io.jvirt.api.v1.Versions;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.Outcome;
import io.jvirt.controller.reconcile.Reconciler;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The {@code KubeVirt} custom resource {@code kubevirt/kubevirt}, KubeVirt's cluster-wide configuration:
 * {@link #ensureExists} creates it (and its namespace) when missing, each reconcile takes its
 * {@code spec.configuration} as the live {@link KubeVirtSettings} (read by {@link #settings()} when a
 * launcher pod is built) and reports {@code status.phase: Deployed} as KubeVirt's operator does once
 * every component runs. A deleted CR means KubeVirt's defaults. Thread-safe.
 */
public final class KubeVirtController implements Reconciler, Supplier<KubeVirtSettings> {
    public static final ResourceDefinitionContext KUBEVIRT = new ResourceDefinitionContext.Builder().withGroup("kubevirt.io")
            .withVersion("v1").withKind("KubeVirt").withPlural("kubevirts").withNamespaced(true).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final SharedIndexInformer<GenericKubernetesResource> kubevirts;
    private final Clock clock;
    private final AtomicReference<KubeVirtSettings> current = new AtomicReference<>(KubeVirtSettings.DEFAULTS);

    public KubeVirtController(KubernetesClient client, SharedIndexInformer<GenericKubernetesResource> kubevirts, Clock clock) {
        this.client = client;
        this.kubevirts = kubevirts;
        this.clock = clock;
    }

    /** Creates namespace {@code kubevirt} and an empty {@code KubeVirt} CR there unless they exist. Idempotent. */
    public static void ensureExists(KubernetesClient client) {
        createIgnoringConflict(() -> client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName(KubeVirtSettings.NAMESPACE).endMetadata().build()).create());
        createIgnoringConflict(() -> client.genericKubernetesResources(KUBEVIRT).inNamespace(KubeVirtSettings.NAMESPACE)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion("kubevirt.io/v1").withKind("KubeVirt")
                        .withNewMetadata().withName(KubeVirtSettings.NAME).withNamespace(KubeVirtSettings.NAMESPACE).endMetadata()
                        .addToAdditionalProperties("spec", Map.of("configuration", Map.of("developerConfiguration", Map.of())))
                        .build()).create());
    }

    private static void createIgnoringConflict(Runnable create) {
        try {
            create.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    /** The settings of the last reconciled KubeVirt CR (KubeVirt's defaults before the first, or when it is gone). */
    @Override
    public KubeVirtSettings get() {
        return current.get();
    }

    @Override
    public Outcome reconcile(Key key) {
        GenericKubernetesResource kv = kubevirts.getIndexer().getByKey(key.cacheKey());
        if (kv == null) {
            current.set(KubeVirtSettings.DEFAULTS);
            return Outcome.DONE;
        }
        JsonNode spec = JSON.valueToTree(kv.getAdditionalProperties().get("spec"));
        current.set(KubeVirtSettings.fromSpec(spec));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("phase", "Deployed");
        status.put("observedKubeVirtVersion", Versions.KUBEVIRT);
        status.put("targetKubeVirtVersion", Versions.KUBEVIRT);
        status.put("observedGeneration", kv.getMetadata().getGeneration());
        Object old = kv.getAdditionalProperties().get("status");
        String now = clock.instant().toString();
        status.put("conditions", List.of(
                condition("Available", "True", "AllComponentsReady", "All components are ready.", old, now),
                condition("Progressing", "False", "AllComponentsReady", "All components are ready.", old, now),
                condition("Degraded", "False", "AllComponentsReady", "All components are ready.", old, now)));
        if (JSON.valueToTree(old).toString().equals(JSON.valueToTree(status).toString())) {
            return Outcome.DONE;
        }
        kv.getAdditionalProperties().put("status", status);
        client.genericKubernetesResources(KUBEVIRT).inNamespace(kv.getMetadata().getNamespace()).resource(kv).updateStatus();
        return Outcome.DONE;
    }

    /** A condition keeping its old lastTransitionTime while its status is unchanged. */
    private static Map<String, Object> condition(String type, String status, String reason, String message, Object oldStatus, String now) {
        String since = now;
        for (JsonNode c : JSON.valueToTree(oldStatus).path("conditions")) {
            if (type.equals(c.path("type").asText()) && status.equals(c.path("status").asText())) {
                since = c.path("lastTransitionTime").asText(now);
            }
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("status", status);
        c.put("reason", reason);
        c.put("message", message);
        c.put("lastProbeTime", since);
        c.put("lastTransitionTime", since);
        return c;
    }
}
