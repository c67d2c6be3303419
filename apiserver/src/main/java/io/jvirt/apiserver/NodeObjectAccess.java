package io.jvirt.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.rbac.RequestAttributes;
import io.jvirt.apiserver.resources.ResourceType;
import java.util.Optional;

/**
 * The node agent's share of kube-apiserver's Node authorizer: beside its RBAC role (which holds no Secrets or
 * ConfigMaps outside {@code kube-system}) the node agent may {@code get} one Secret or ConfigMap in a namespace when a
 * VirtualMachineInstance there names it — a Secret as the {@code imagePullSecret} of a containerDisk or of
 * {@code kernelBoot.container}, as a {@code secret} volume or as a cloud-init {@code secretRef} /
 * {@code networkDataSecretRef}; a ConfigMap as a {@code configMap} volume. What the node needs to start the VMI, and
 * nothing else. Read from the store on each request; thread-safe.
 */
final class NodeObjectAccess {
    private final ObjectService service;

    NodeObjectAccess(ObjectService service) {
        this.service = service;
    }

    /** True when {@code a} is the node agent getting a Secret or ConfigMap a VMI in its namespace names. */
    boolean allows(RequestAttributes a) {
        if (!a.resourceRequest() || !ComponentIdentity.NODE_AGENT.is(a.user().name()) || !"get".equals(a.verb()) || !a.apiGroup().isEmpty()
                || !a.subresource().isEmpty() || a.namespace().isEmpty() || a.name().isEmpty()) {
            return false;
        }
        boolean secret = "secrets".equals(a.resource());
        if (!secret && !"configmaps".equals(a.resource())) {
            return false;
        }
        Optional<ResourceType> vmis = service.registry().find("kubevirt.io", "v1", "virtualmachineinstances");
        if (vmis.isEmpty()) {
            return false;
        }
        JsonNode found = service.list(vmis.get(), a.namespace(),
                vmi -> secret ? namesSecret(vmi.path("spec"), a.name()) : namesConfigMap(vmi.path("spec"), a.name()), 1, null).path("items");
        return found.isArray() && !found.isEmpty();
    }

    static boolean namesSecret(JsonNode spec, String secret) {
        if (secret.equals(spec.path("domain").path("firmware").path("kernelBoot").path("container").path("imagePullSecret").asText(null))) {
            return true;
        }
        for (JsonNode v : spec.path("volumes")) {
            if (secret.equals(v.path("containerDisk").path("imagePullSecret").asText(null))
                    || secret.equals(v.path("secret").path("secretName").asText(null))) {
                return true;
            }
            for (String cloudInit : new String[] {"cloudInitNoCloud", "cloudInitConfigDrive"}) {
                if (secret.equals(v.path(cloudInit).path("secretRef").path("name").asText(null))
                        || secret.equals(v.path(cloudInit).path("networkDataSecretRef").path("name").asText(null))) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean namesConfigMap(JsonNode spec, String configMap) {
        for (JsonNode v : spec.path("volumes")) {
            if (configMap.equals(v.path("configMap").path("name").asText(null))) {
                return true;
            }
        }
        return false;
    }
}
