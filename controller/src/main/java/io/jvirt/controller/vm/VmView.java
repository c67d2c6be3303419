package io.jvirt.controller.vm;

/**
 * The facts {@link PrintableStatus} is computed from.
 *
 * @param vmDeleting the VM has a deletionTimestamp
 * @param vmi the VMI's state
 * @param vmiPhase the VMI's phase ({@code null} or empty before the VMI controller saw it)
 * @param paused the VMI's Paused condition is True
 * @param unschedulable the VMI reports its pod unschedulable (PodScheduled False, reason Unschedulable)
 * @param provisioning the VMI's Provisioning condition is True (volumes still being prepared)
 * @param action what the controller decided to do now
 * @param backoffActive the crash-loop backoff forbids a new VMI right now
 * @param pullFailure the reason of the VMI's {@code Synchronized=False} condition when it is an image pull's
 *     ({@code ErrImagePull}, {@code ImagePullBackOff}), else null
 */
public record VmView(boolean vmDeleting, VmiState vmi, String vmiPhase, boolean paused, boolean unschedulable,
                     boolean provisioning, Decision.Action action, boolean backoffActive, String pullFailure) {
}
