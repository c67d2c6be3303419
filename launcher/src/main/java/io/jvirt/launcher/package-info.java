/**
 * virt-launcher: one process per VMI. {@link io.jvirt.launcher.LauncherMain} reads a
 * {@link io.jvirt.converter.LaunchRequest} from the node agent, prepares (cloud-init ISOs, UEFI
 * variable store, checks of every handed-over file and image), converts the VMI with
 * {@link io.jvirt.converter.VmiConverter}, and serves the node agent over the socket protocol
 * of {@link io.jvirt.launcher.protocol} while {@link io.jvirt.launcher.domain.Domain} drives QEMU.
 */
package io.jvirt.launcher;
