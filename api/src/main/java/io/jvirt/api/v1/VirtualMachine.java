package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.jvirt.api.meta.ObjectMeta;
import java.util.Map;

/**
 * A {@code kubevirt.io/v1 VirtualMachine}: a stateful wrapper that creates VMIs from a template.
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param status kept untyped here; the controller owns its shape
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualMachine(
        String apiVersion,
        String kind,
        ObjectMeta metadata,
        VirtualMachineSpec spec,
        Map<String, Object> status,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
    /** The {@code apiVersion} of this kind. */
    public static final String API_VERSION = "kubevirt.io/v1";
    /** The {@code kind} of this type. */
    public static final String KIND = "VirtualMachine";
}
