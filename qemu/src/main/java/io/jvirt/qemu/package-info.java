/**
 * jvirt's QEMU driver: everything needed to run and control one QEMU, and nothing about
 * Kubernetes or jvirt's API types (the launcher maps those onto this package).
 *
 * <ul>
 *   <li>{@link io.jvirt.qemu.QemuCommandLine} / {@link io.jvirt.qemu.QemuOpts}: a typed argv
 *       builder with QEMU's comma escaping;</li>
 *   <li>{@link io.jvirt.qemu.QemuProcess}: a started QEMU that is killed on close;</li>
 *   <li>{@link io.jvirt.qemu.qmp}: the QMP client;</li>
 *   <li>{@link io.jvirt.qemu.img}: the qemu-img wrapper that pins formats and refuses foreign
 *       images referring to other files;</li>
 *   <li>{@link io.jvirt.qemu.accel}: the probe that decides KVM or TCG.</li>
 * </ul>
 */
package io.jvirt.qemu;
