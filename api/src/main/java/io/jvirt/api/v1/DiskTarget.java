package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A disk shown as a hard disk ({@code v1.DiskTarget}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param bus virtio, sata, scsi or usb
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiskTarget(
        String bus,
        Boolean readonly,
        String pciAddress,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
