package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.jvirt.api.meta.Quantity;
import java.util.Map;

/**
 * A disk image file on the node ({@code v1.HostDisk}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param type {@code Disk} or {@code DiskOrCreate}
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostDisk(
        String path,
        String type,
        Quantity capacity,
        Boolean shared,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
