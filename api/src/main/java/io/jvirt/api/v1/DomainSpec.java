package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The virtual hardware of a VMI ({@code v1.DomainSpec}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param ioThreadsPolicy {@code shared}, {@code auto} or {@code supplementalPool}
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DomainSpec(
        Cpu cpu,
        Memory memory,
        ResourceRequirements resources,
        Machine machine,
        Firmware firmware,
        Devices devices,
        Features features,
        Clock clock,
        String ioThreadsPolicy,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
