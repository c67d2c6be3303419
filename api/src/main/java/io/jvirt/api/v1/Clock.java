package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The guest clock ({@code v1.Clock}): at most one of utc and timezone.
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param timezone an IANA zone such as {@code Europe/Berlin}
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Clock(
        ClockOffsetUtc utc,
        String timezone,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
