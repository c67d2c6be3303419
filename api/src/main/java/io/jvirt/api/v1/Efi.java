package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * UEFI firmware ({@code v1.EFI}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param secureBoot KubeVirt defaults this to true
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Efi(
        Boolean secureBoot,
        Boolean persistent,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
