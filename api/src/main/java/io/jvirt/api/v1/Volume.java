package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A named disk source ({@code v1.Volume}); exactly one source is set.
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Volume(
        String name,
        ContainerDiskSource containerDisk,
        PersistentVolumeClaimVolumeSource persistentVolumeClaim,
        DataVolumeSource dataVolume,
        HostDisk hostDisk,
        EmptyDiskSource emptyDisk,
        EphemeralVolumeSource ephemeral,
        CloudInitNoCloudSource cloudInitNoCloud,
        CloudInitConfigDriveSource cloudInitConfigDrive,
        ConfigMapVolumeSource configMap,
        SecretVolumeSource secret,
        ServiceAccountVolumeSource serviceAccount,
        DownwardAPIVolumeSource downwardAPI,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
