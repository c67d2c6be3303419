package io.jvirt.controller.resource;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code v1.VirtualMachineStartFailure}: crash-loop tracking of a VM.
 *
 * @param lastFailedVMIUID the VMI whose failure was counted last (counted once)
 * @param retryAfterTimestamp RFC 3339: no new VMI is created before this instant
 * @param consecutiveFailCount failures since the last VMI that ran stably
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StartFailure(String lastFailedVMIUID, String retryAfterTimestamp, Integer consecutiveFailCount) {
}
