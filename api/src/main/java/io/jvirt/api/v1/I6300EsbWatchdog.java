package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The Intel 6300ESB watchdog ({@code v1.I6300ESBWatchdog}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param action {@code poweroff}, {@code reset} or {@code shutdown}
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record I6300EsbWatchdog(
        String action,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
