package io.jvirt.controller.vmi;

/**
 * What the VMI controller sees of a launcher pod.
 *
 * @param nodeName {@code spec.nodeName}, null until bound
 * @param phase the pod's {@code status.phase}
 * @param unschedulableMessage the message of PodScheduled=False/Unschedulable, null if none
 */
public record PodView(String nodeName, String phase, String unschedulableMessage, boolean deleting) {
}
