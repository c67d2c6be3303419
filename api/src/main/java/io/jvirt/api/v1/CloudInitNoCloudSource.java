package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.jvirt.api.meta.LocalObjectReference;
import java.util.Map;

/**
 * Cloud-init data delivered as NoCloud ({@code v1.CloudInitNoCloudSource}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param secretRef a Secret with key {@code userdata} (and optionally {@code networkdata})
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudInitNoCloudSource(
        String userData,
        String userDataBase64,
        LocalObjectReference secretRef,
        String networkData,
        String networkDataBase64,
        LocalObjectReference networkDataSecretRef,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
