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
 * {@code networkDataSecretRef}; a ConfigMap as a {@code configMap} volume; and it may ask a token
 * ({@code create serviceaccounts/token}) for a ServiceAccount a {@code serviceAccount} volume names. What the node needs
 * to start the VMI, and nothing else. Read from the store on each request; thread-safe.
 */
final class NodeObjectAccess {
    private final ObjectService service;

    NodeObjectAccess(ObjectService service) {
        this.service = service;
    }

    /**
     * True when {@code a} is the node agent getting a Secret or ConfigMap, or asking a ServiceAccount's token
     * ({@code create serviceaccounts/token}), that a VMI in its namespace names.
     */
    boolean allows(RequestAttributes a) {
        if (!a.resourceRequest() || !ComponentIdentity.NODE_AGENT.is(a.user().name()) || !a.apiGroup().isEmpty()
                || a.namespace().isEmpty() || a.name().isEmpty()) {
            return false;
        }
        java.util.function.Predicate<JsonNode> names;
        if ("get".equals(a.verb()) && a.subresource().isEmpty() && "secrets".equals(a.resource())) {
            names = spec -> namesSecret(spec, a.name());
        } else if ("get".equals(a.verb()) && a.subresource().isEmpty() && "configmaps".equals(a.resource())) {
            names = spec -> namesVolume(spec, "configMap", "name", a.name());
        } else if ("create".equals(a.verb()) && "token".equals(a.subresource()) && "serviceaccounts".equals(a.resource())) {
            names = spec -> namesVolume(spec, "serviceAccount", "serviceAccountName", a.name());
        } else {
            return false;
        }
        Optional<ResourceType> vmis = service.registry().find("kubevirt.io", "v1", "virtualmachineinstances");
        if (vmis.isEmpty()) {
            return false;
        }
        JsonNode found = service.list(vmis.get(), a.namespace(), vmi -> names.test(vmi.path("spec")), 1, null).path("items");
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

    /** True when a volume of {@code spec} is a {@code kind} volume whose {@code field} is {@code name}. */
    static boolean namesVolume(JsonNode spec, String kind, String field, String name) {
        for (JsonNode v : spec.path("volumes")) {
            if (name.equals(v.path(kind).path(field).asText(null))) {
                return true;
            }
        }
        return false;
    }
}
