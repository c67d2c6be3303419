package io.jvirt.controller.resource;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The part of {@code v1.VirtualMachineStatus} the VM controller writes. Fields written by others
 * (subresources, snapshots) land in {@code unknown} and are kept on a read-modify-write.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualMachineStatus(
        Boolean created,
        Boolean ready,
        String printableStatus,
        List<Condition> conditions,
        List<StateChangeRequest> stateChangeRequests,
        StartFailure startFailure,
        String runStrategy,
        Long observedGeneration,
        Long desiredGeneration,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
}
