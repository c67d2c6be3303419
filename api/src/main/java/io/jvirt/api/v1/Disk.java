package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One guest disk ({@code v1.Disk}): at most one of disk, cdrom, lun.
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param name the volume this disk shows
 * @param bootOrder 1 boots first
 * @param cache {@code none}, {@code writethrough} or {@code writeback}
 * @param io {@code native} or {@code threads}
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Disk(
        String name,
        DiskTarget disk,
        CdromTarget cdrom,
        LunTarget lun,
        Integer bootOrder,
        String serial,
        String cache,
        String io,
        Boolean dedicatedIOThread,
        Boolean shareable,
        String errorPolicy,
        String tag,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
