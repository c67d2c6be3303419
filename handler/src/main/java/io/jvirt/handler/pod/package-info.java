/**
 * kubelet's job in embedded mode: launcher-labelled pods bound to this node run as processes in
 * their own network namespace ({@code ip netns}, loopback only) and cgroup (v1 or v2, chosen at run time: memory, cpu, pids), in a
 * session of their own so they outlive the agent; state under {@code <data dir>/pods/<uid>} lets a
 * restarted agent re-adopt them. Pod status is written as kubelet writes it.
 */
package io.jvirt.handler.pod;
