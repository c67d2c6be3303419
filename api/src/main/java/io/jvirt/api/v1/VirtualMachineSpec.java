package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The desired state of a VM ({@code v1.VirtualMachineSpec}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param runStrategy Always, RerunOnFailure, Manual, Halted, Once or WaitAsReceiver
 * @param running deprecated form of runStrategy
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualMachineSpec(
        String runStrategy,
        Boolean running,
        VirtualMachineInstanceTemplateSpec template,
        List<Map<String, Object>> dataVolumeTemplates,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
