/**
 * The VMI side: disks (containerDisks from registries and local OCI layouts with per-VMI qcow2 overlays, claims,
 * host disks, config volumes), the launch request the converter turns into QEMU's argv, one {@link
 * io.jvirt.handler.vmi.Supervisor} per VM over QEMU's QMP socket, and the mapping of domain events to VMI status.
 */
package io.jvirt.handler.vmi;
