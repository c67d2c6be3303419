package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Guest CPU topology and model ({@code v1.CPU}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param model {@code host-model}, {@code host-passthrough} or a named QEMU model
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Cpu(
        Long cores,
        Long sockets,
        Long threads,
        String model,
        Boolean dedicatedCpuPlacement,
        Long maxSockets,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
