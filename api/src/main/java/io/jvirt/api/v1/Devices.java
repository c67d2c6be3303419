package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Guest devices ({@code v1.Devices}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param autoattachGraphicsDevice VGA + VNC unless false
 * @param autoattachSerialConsole serial console unless false
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Devices(
        List<Disk> disks,
        List<Interface> interfaces,
        List<Input> inputs,
        Rng rng,
        Watchdog watchdog,
        Boolean autoattachGraphicsDevice,
        Boolean autoattachSerialConsole,
        Boolean autoattachPodInterface,
        Boolean autoattachInputDevice,
        Boolean autoattachMemBalloon,
        Boolean logSerialConsole,
        Boolean blockMultiQueue,
        Boolean networkInterfaceMultiqueue,
        Boolean useVirtioTransitional,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
