package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The container image carrying the kernel and initrd ({@code v1.KernelBootContainer}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param kernelPath absolute path of the kernel inside the image
 * @param initrdPath absolute path of the initrd inside the image
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KernelBootContainer(
        String image,
        String imagePullPolicy,
        String imagePullSecret,
        String kernelPath,
        String initrdPath,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
