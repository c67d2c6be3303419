package io.jvirt.api.v1;

/**
 * A VMI that could not be started on its node, with the {@link FailureReason} and the node's message for the user
 * ({@code containerDisk image … is not available on node …}). Thrown by what prepares a launcher pod (image pulls,
 * volumes); the node agent turns it into the pod's container state, from where virt-controller reports it. A cause
 * with more to say (an image puller's failure) may extend it and pass its reason up.
 */
public class LaunchFailure extends Exception {
    private final FailureReason reason;

    public LaunchFailure(FailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public LaunchFailure(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }
}
