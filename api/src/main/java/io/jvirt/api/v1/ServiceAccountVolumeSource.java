package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * A service account's credentials as a small disk ({@code v1.ServiceAccountVolumeSource}): {@code token}, {@code ca.crt} and {@code namespace}, as a pod sees them.
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceAccountVolumeSource(
        String serviceAccountName,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
