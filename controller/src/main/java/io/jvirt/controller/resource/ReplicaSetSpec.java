package io.jvirt.controller.resource;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.jvirt.api.v1.VirtualMachineInstanceTemplateSpec;
import java.util.Map;

/**
 * {@code v1.VirtualMachineInstanceReplicaSetSpec}.
 *
 * @param replicas desired number of VMIs; {@code null} means 1
 * @param paused when true the controller neither creates nor deletes VMIs
 * @param unknown fields not modelled here, kept on a read-modify-write
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplicaSetSpec(
        Integer replicas,
        LabelSelector selector,
        VirtualMachineInstanceTemplateSpec template,
        Boolean paused,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
