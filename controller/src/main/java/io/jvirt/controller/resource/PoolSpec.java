package io.jvirt.controller.resource;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.Map;

/**
 * {@code v1beta1.VirtualMachinePoolSpec} as the pool controller reads it. The VM template is kept as a JSON map:
 * each member gets a copy with its index applied.
 *
 * @param replicas desired number of VMs; {@code null} means 1
 * @param paused when true the controller neither creates nor deletes VMs
 * @param unknown fields not modelled here (update strategy, autohealing), kept on a read-modify-write
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolSpec(
        Integer replicas,
        LabelSelector selector,
        Map<String, Object> virtualMachineTemplate,
        Boolean paused,
        Map<String, Object> nameGeneration,
        Map<String, Object> scaleInStrategy,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
