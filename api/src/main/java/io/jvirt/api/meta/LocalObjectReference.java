package io.jvirt.api.meta;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A reference to an object by name in the same namespace ({@code core/v1 LocalObjectReference}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LocalObjectReference(
        String name,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
