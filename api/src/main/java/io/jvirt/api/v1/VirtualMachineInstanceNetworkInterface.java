package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * An observed guest interface ({@code v1.VirtualMachineInstanceNetworkInterface}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualMachineInstanceNetworkInterface(
        String name,
        String interfaceName,
        String ipAddress,
        List<String> ipAddresses,
        String mac,
        String infoSource,
        Integer queueCount,
        String linkState,
        String podInterfaceName,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
