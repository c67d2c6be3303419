package io.jvirt.controller.kubevirt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jvirt.api.instancetype.CommonInstancetypes;
import io.jvirt.api.instancetype.SizeKind;
import io.jvirt.controller.instancetype.Sizing;
import java.util.List;
import java.util.Objects;

/**
 * Installs the common-instancetypes bundle ({@link CommonInstancetypes}) as cluster-wide objects at start, as
 * KubeVirt's operator deploys it: each missing object is created, each of ours ({@code app.kubernetes.io/managed-by:
 * jvirt}) whose spec differs from the bundle's is put back; an object of the same name that someone else made is
 * left alone. Idempotent; called once per start.
 */
public final class CommonInstancetypesInstaller {
    private static final System.Logger LOG = System.getLogger(CommonInstancetypesInstaller.class.getName());

    private CommonInstancetypesInstaller() {}

    /** @return how many objects were created or put back */
    public static int install(KubernetesClient client) {
        int changed = 0;
        changed += install(client, SizeKind.CLUSTER_INSTANCETYPE, CommonInstancetypes.instancetypes());
        changed += install(client, SizeKind.CLUSTER_PREFERENCE, CommonInstancetypes.preferences());
        return changed;
    }

    private static int install(KubernetesClient client, SizeKind kind, List<ObjectNode> bundle) {
        var resources = client.genericKubernetesResources(Sizing.context(kind));
        int changed = 0;
        for (ObjectNode wanted : bundle) {
            GenericKubernetesResource object = client.getKubernetesSerialization().convertValue(wanted, GenericKubernetesResource.class);
            GenericKubernetesResource existing = resources.withName(object.getMetadata().getName()).get();
            try {
                if (existing == null) {
                    resources.resource(object).create();
                    changed++;
                } else if (ours(existing) && !Objects.equals(spec(client, existing), wanted.path("spec"))) {
                    object.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                    resources.resource(object).update();
                    changed++;
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) throw e; // another start made or changed it meanwhile
                LOG.log(System.Logger.Level.DEBUG, "common instancetype " + object.getMetadata().getName() + " changed meanwhile: " + e.getMessage());
            }
        }
        return changed;
    }

    private static boolean ours(GenericKubernetesResource o) {
        return o.getMetadata().getLabels() != null
                && CommonInstancetypes.MANAGER.equals(o.getMetadata().getLabels().get(CommonInstancetypes.MANAGED_BY));
    }

    private static Object spec(KubernetesClient client, GenericKubernetesResource o) {
        return client.getKubernetesSerialization().convertValue(o.getAdditionalProperties().get("spec"), com.fasterxml.jackson.databind.JsonNode.class);
    }
}
