package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A disk on a PVC ({@code v1.PersistentVolumeClaimVolumeSource}; also used for the core/v1 shape under {@code ephemeral}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PersistentVolumeClaimVolumeSource(
        String claimName,
        Boolean readOnly,
        Boolean hotpluggable,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
