/**
 * QMP, QEMU's JSON machine protocol, over the monitor's unix socket: {@link io.jvirt.qemu.qmp.QmpClient}
 * (commands correlated by id, typed errors), {@link io.jvirt.qemu.qmp.QmpEvent} (sealed events)
 * and {@link io.jvirt.qemu.qmp.QmpListener}.
 */
package io.jvirt.qemu.qmp;
