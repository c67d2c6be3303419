package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One guest network interface ({@code v1.Interface}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param name the network this interface joins
 * @param model virtio, e1000, e1000e, rtl8139, ...
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Interface(
        String name,
        String model,
        String macAddress,
        Integer bootOrder,
        InterfaceMasquerade masquerade,
        InterfaceBridge bridge,
        List<Port> ports,
        String pciAddress,
        String state,
        String tag,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
