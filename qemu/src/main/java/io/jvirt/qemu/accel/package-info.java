/**
 * Choosing the accelerator: {@link io.jvirt.qemu.accel.AccelProbe} runs a tiny guest under KVM
 * and falls back to TCG, saying why in an {@link io.jvirt.qemu.accel.AccelDecision}.
 */
package io.jvirt.qemu.accel;
