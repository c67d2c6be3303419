package io.jvirt.controller.resource;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code v1.VirtualMachineInstanceReplicaSetStatus}, written by the replica set controller only.
 *
 * @param labelSelector the selector in string form, for the scale subresource
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplicaSetStatus(
        Integer replicas,
        Integer readyReplicas,
        String labelSelector,
        List<Condition> conditions) {
}
