package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * A Secret as a small disk the guest can mount ({@code v1.SecretVolumeSource}): an ISO image with one file per key, labelled {@code volumeLabel} (default {@code cfgdata}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretVolumeSource(
        String secretName,
        Boolean optional,
        String volumeLabel,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
