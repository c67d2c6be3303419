package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The desired state of a VMI ({@code v1.VirtualMachineInstanceSpec}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param domain the virtual hardware
 * @param volumes sources of the disks, matched to {@code domain.devices.disks} by name
 * @param networks networks, matched to {@code domain.devices.interfaces} by name
 * @param hostname guest host name; the VMI name when unset
 * @param terminationGracePeriodSeconds seconds between the ACPI shutdown request and the forced stop
 * @param startStrategy {@code Paused} starts the guest paused
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualMachineInstanceSpec(
        DomainSpec domain,
        List<Volume> volumes,
        List<Network> networks,
        String hostname,
        String subdomain,
        Long terminationGracePeriodSeconds,
        Map<String, String> nodeSelector,
        String evictionStrategy,
        String priorityClassName,
        String schedulerName,
        String startStrategy,
        String architecture,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {

    /** This spec with {@code startStrategy} replaced ({@code Paused} starts the guest's CPUs stopped). */
    public VirtualMachineInstanceSpec withStartStrategy(String strategy) {
        return new VirtualMachineInstanceSpec(domain, volumes, networks, hostname, subdomain, terminationGracePeriodSeconds, nodeSelector,
                evictionStrategy, priorityClassName, schedulerName, strategy, architecture, unknown);
    }

    /**
     * This spec with KubeVirt's name-derived firmware UUID ({@link Firmware#stableUuid}) when it names none, as KubeVirt's
     * VM controller sets it on the VMIs of a VM whose template has no UUID; otherwise this spec.
     */
    public VirtualMachineInstanceSpec withStableFirmwareUuid(String vmName) {
        DomainSpec d = domain == null ? new DomainSpec(null, null, null, null, null, null, null, null, null, null) : domain;
        Firmware f = d.firmware() == null ? new Firmware(null, null, null, null, null) : d.firmware();
        if (f.uuid() != null && !f.uuid().isEmpty()) {
            return this;
        }
        DomainSpec withUuid = new DomainSpec(d.cpu(), d.memory(), d.resources(), d.machine(), f.withUuid(Firmware.stableUuid(vmName)), d.devices(),
                d.features(), d.clock(), d.ioThreadsPolicy(), d.unknown());
        return new VirtualMachineInstanceSpec(withUuid, volumes, networks, hostname, subdomain, terminationGracePeriodSeconds, nodeSelector,
                evictionStrategy, priorityClassName, schedulerName, startStrategy, architecture, unknown);
    }
}
