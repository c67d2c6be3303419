package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A disk shown as a CD-ROM ({@code v1.CDRomTarget}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param readonly KubeVirt defaults this to true
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CdromTarget(
        String bus,
        Boolean readonly,
        String tray,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
