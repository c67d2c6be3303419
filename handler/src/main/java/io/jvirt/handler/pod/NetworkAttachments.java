package io.jvirt.handler.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;

/**
 * Multus' NetworkAttachmentDefinitions ({@code k8s.cni.cncf.io/v1}, served as a CRD), read as multus reads them: a
 * network name {@code [namespace/]name} resolved against the pod's namespace, its {@code spec.config} the CNI
 * configuration the node runs (the network driver checks its plugin types). Stateless; thread-safe.
 */
public final class NetworkAttachments {
    private static final ResourceDefinitionContext DEFINITION = new ResourceDefinitionContext.Builder()
            .withGroup("k8s.cni.cncf.io").withVersion("v1").withKind("NetworkAttachmentDefinition")
            .withPlural("network-attachment-definitions").withNamespaced(true).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private NetworkAttachments() {}

    /** Namespace and name of the definition {@code networkName} ({@code [namespace/]name}) names for a pod in {@code podNamespace}. */
    static String[] ref(String podNamespace, String networkName) {
        int slash = networkName.indexOf('/');
        return slash < 0 ? new String[] {podNamespace, networkName} : new String[] {networkName.substring(0, slash), networkName.substring(slash + 1)};
    }

    /**
     * The CNI configuration of the definition {@code networkName} ({@code [namespace/]name}; {@code podNamespace}
     * when it names none). Fails with KubeVirt's message when the definition does not exist, and says why when its
     * {@code spec.config} is no JSON object.
     */
    public static JsonNode config(KubernetesClient client, String podNamespace, String networkName) {
        String[] ref = ref(podNamespace, networkName);
        String namespace = ref[0];
        String name = ref[1];
        GenericKubernetesResource nad = client.genericKubernetesResources(DEFINITION).inNamespace(namespace).withName(name).get();
        if (nad == null) {
            throw new IllegalStateException("failed to locate network attachment definition " + namespace + "/" + name);
        }
        JsonNode config;
        try {
            config = JSON.readTree(JSON.valueToTree(nad.getAdditionalProperties().get("spec")).path("config").asText(""));
        } catch (IOException e) {
            throw new IllegalStateException("network attachment definition " + namespace + "/" + name + ": spec.config is not JSON: " + e.getMessage());
        }
        if (config == null || !config.isObject()) {
            throw new IllegalStateException("network attachment definition " + namespace + "/" + name + " has no CNI configuration in spec.config");
        }
        return config;
    }
}
