/**
 * The Node object of this host: capacity and allocatable (cpu, memory less a reserve, pods,
 * {@code devices.kubevirt.io/kvm} only when a KVM guest really ran, {@code devices.kubevirt.io/tun}),
 * labels, the Ready heartbeat and the {@code kube-node-lease} Lease.
 */
package io.jvirt.handler.node;
