package io.jvirt.api.metrics;

import java.util.List;

/**
 * What a node agent tells the API server for {@code metrics.k8s.io} ({@code kubectl top}): the node's and each
 * running pod's CPU use as a rate over the last sampling window and their memory in use at its end, as
 * metrics-server reports kubelet's figures. Both sides read and write this one type (JSON over the node relay).
 *
 * @param timestamp the end of the window (RFC 3339)
 * @param windowSeconds the window's length
 * @param node the whole node: CPU of all processes, memory MemTotal minus MemAvailable
 * @param pods each launcher pod running on the node: its cgroup's processes
 */
public record NodeUsage(String timestamp, double windowSeconds, Usage node, List<PodUsage> pods) {
    /** CPU in nanocores (10^-9 of a CPU, averaged over the window) and memory in bytes. */
    public record Usage(long cpuNanoCores, long memoryBytes) {}

    /** One pod's usage; a launcher pod has one container, {@code compute}, which holds it all. */
    public record PodUsage(String namespace, String name, Usage usage) {}
}
