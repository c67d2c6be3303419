package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A disk image shipped in a container image ({@code v1.ContainerDiskSource}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param path path of the image file inside the container
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerDiskSource(
        String image,
        String imagePullPolicy,
        String imagePullSecret,
        String path,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
