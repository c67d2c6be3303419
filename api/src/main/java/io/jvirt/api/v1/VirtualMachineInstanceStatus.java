package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The observed state of a VMI ({@code v1.VirtualMachineInstanceStatus}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param phase Pending, Scheduling, Scheduled, Running, Succeeded, Failed or Unknown
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualMachineInstanceStatus(
        String phase,
        String reason,
        String nodeName,
        List<VirtualMachineInstanceCondition> conditions,
        List<VirtualMachineInstanceNetworkInterface> interfaces,
        Machine machine,
        String qosClass,
        String launcherContainerImageVersion,
        List<VirtualMachineInstancePhaseTransitionTimestamp> phaseTransitionTimestamps,
        String migrationMethod,
        Map<String, String> activePods,
        Map<String, Object> guestOSInfo,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
