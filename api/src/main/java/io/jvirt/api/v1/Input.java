package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * An input device ({@code v1.Input}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param type {@code tablet}
 * @param bus {@code usb} or {@code virtio}
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Input(
        String name,
        String type,
        String bus,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
