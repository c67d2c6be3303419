package io.jvirt.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.api.auth.ComponentIdentity;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.rbac.RequestAttributes;
import io.jvirt.apiserver.resources.ResourceType;
import java.util.Optional;

/**
 * The node agent's share of kube-apiserver's Node authorizer: beside its RBAC role (which holds no Secrets outside
 * {@code kube-system}) the node agent may {@code get} one Secret in a namespace when a VirtualMachineInstance there
 * names it as the {@code imagePullSecret} of a containerDisk or of {@code kernelBoot.container} — the pull
 * credentials the node needs, and nothing else. Read from the store on each request; thread-safe.
 */
final class NodeSecretAccess {
    private final ObjectService service;

    NodeSecretAccess(ObjectService service) {
        this.service = service;
    }

    /** True when {@code a} is the node agent getting a Secret a VMI in its namespace pulls with. */
    boolean allows(RequestAttributes a) {
        if (!a.resourceRequest() || !ComponentIdentity.NODE_AGENT.is(a.user().name()) || !"get".equals(a.verb()) || !a.apiGroup().isEmpty()
                || !"secrets".equals(a.resource()) || !a.subresource().isEmpty() || a.namespace().isEmpty() || a.name().isEmpty()) {
            return false;
        }
        Optional<ResourceType> vmis = service.registry().find("kubevirt.io", "v1", "virtualmachineinstances");
        if (vmis.isEmpty()) {
            return false;
        }
        JsonNode found = service.list(vmis.get(), a.namespace(), vmi -> pullsWith(vmi.path("spec"), a.name()), 1, null).path("items");
        return found.isArray() && !found.isEmpty();
    }

    static boolean pullsWith(JsonNode spec, String secret) {
        if (secret.equals(spec.path("domain").path("firmware").path("kernelBoot").path("container").path("imagePullSecret").asText(null))) {
            return true;
        }
        for (JsonNode v : spec.path("volumes")) {
            if (secret.equals(v.path("containerDisk").path("imagePullSecret").asText(null))) {
                return true;
            }
        }
        return false;
    }
}
