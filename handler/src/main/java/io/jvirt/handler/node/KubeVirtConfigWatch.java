package io.jvirt.handler.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.v1.KubeVirtSettings;
import java.util.function.Supplier;

/**
 * The live {@link KubeVirtSettings} of the {@code KubeVirt} CR as this node sees it (an informer on
 * {@code kubevirts}): {@code kubectl edit kubevirt kubevirt -n kubevirt} takes effect for the next VMI
 * started here. KubeVirt's defaults when there is no CR (or no KubeVirt CRD on a cluster). Thread-safe.
 */
public final class KubeVirtConfigWatch implements Supplier<KubeVirtSettings>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KubeVirtConfigWatch.class.getName());
    private static final ResourceDefinitionContext KUBEVIRT = new ResourceDefinitionContext.Builder().withGroup("kubevirt.io")
            .withVersion("v1").withKind("KubeVirt").withPlural("kubevirts").withNamespaced(true).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SharedIndexInformer<GenericKubernetesResource> informer;

    private KubeVirtConfigWatch(SharedIndexInformer<GenericKubernetesResource> informer) {
        this.informer = informer;
    }

    /** Starts watching; without a KubeVirt CRD the settings stay at their defaults. */
    public static KubeVirtConfigWatch start(KubernetesClient client) {
        try {
            return new KubeVirtConfigWatch(client.genericKubernetesResources(KUBEVIRT).inAnyNamespace().inform());
        } catch (KubernetesClientException e) {
            LOG.log(System.Logger.Level.WARNING, "not watching the KubeVirt CR (KubeVirt's defaults apply): " + e.getMessage());
            return new KubeVirtConfigWatch(null);
        }
    }

    @Override
    public KubeVirtSettings get() {
        if (informer == null) {
            return KubeVirtSettings.DEFAULTS;
        }
        return informer.getStore().list().stream().findFirst()
                .map(kv -> KubeVirtSettings.fromSpec(JSON.valueToTree(kv.getAdditionalProperties().get("spec"))))
                .orElse(KubeVirtSettings.DEFAULTS);
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
