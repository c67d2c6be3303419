package io.jvirt.api.meta;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A reference from a dependent object to its owner ({@code meta/v1 OwnerReference}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OwnerReference(
        String apiVersion,
        String kind,
        String name,
        String uid,
        Boolean controller,
        Boolean blockOwnerDeletion,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
