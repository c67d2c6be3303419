package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Downward API data as a small disk ({@code v1.DownwardAPIVolumeSource}): one file per entry of {@code fields} (core/v1 {@code DownwardAPIVolumeFile}: {@code path}, {@code fieldRef.fieldPath}, {@code resourceFieldRef}), labelled {@code volumeLabel} (default {@code cfgdata}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DownwardAPIVolumeSource(
        List<Map<String, Object>> fields,
        String volumeLabel,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
