package io.jvirt.handler.pod;

import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.cni.CniResult;

/**
 * What the pod runner has made for a launcher pod by the time its VMI's interfaces are wired, before its process
 * starts.
 *
 * @param netns the pod's network namespace
 * @param podNetwork the CNI result for the pod's {@code eth0}: the node's pod network's, or that of the multus default
 *     network replacing it; null when the node has no pod network (the pod has loopback only)
 * @param cgroup the pod's cgroup: a helper process the pod needs beside QEMU (passt) joins it, so it is limited,
 *     counted and ended with the pod
 * @param network the node's pod network (null with {@code podNetwork}): it also runs a pod's secondary networks
 *     ({@link io.jvirt.network.PodNetwork#addSecondary}), which its DEL and sweep take down with the pod
 */
public record PodSandbox(NetworkNamespace netns, CniResult podNetwork, PodCgroup cgroup, io.jvirt.network.PodNetwork network) {}
