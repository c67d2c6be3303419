package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A condition of a VMI ({@code v1.VirtualMachineInstanceCondition}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param type e.g. Ready, Paused, AgentConnected
 * @param status True, False or Unknown
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualMachineInstanceCondition(
        String type,
        String status,
        String reason,
        String message,
        String lastProbeTime,
        String lastTransitionTime,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
