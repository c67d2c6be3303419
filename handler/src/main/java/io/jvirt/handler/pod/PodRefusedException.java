package io.jvirt.handler.pod;

/**
 * The node does not run this pod: it is not a launcher pod of a VMI that exists and names it. The
 * pod gets phase Failed with {@link #reason()} and the message, and nothing is started for it.
 */
public final class PodRefusedException extends Exception {
    private final String reason;

    /** @param reason a CamelCase Pod status reason */
    public PodRefusedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
