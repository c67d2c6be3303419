package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.jvirt.api.meta.Quantity;
import java.util.Map;

/**
 * Guest memory ({@code v1.Memory}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param guest memory the guest sees
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Memory(
        Quantity guest,
        Quantity maxGuest,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
