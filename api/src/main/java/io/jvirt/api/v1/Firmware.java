package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Firmware settings ({@code v1.Firmware}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param serial SMBIOS system serial number
 * @param uuid SMBIOS system UUID
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Firmware(
        Bootloader bootloader,
        KernelBoot kernelBoot,
        String serial,
        String uuid,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
