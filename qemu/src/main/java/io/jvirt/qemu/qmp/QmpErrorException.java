package io.jvirt.qemu.qmp;

/**
 * QEMU answered a command with {@code {"error": {"class": …, "desc": …}}}.
 * {@link #errorClass()} is QMP's class (e.g. {@code GenericError}, {@code CommandNotFound},
 * {@code DeviceNotFound}); {@link #description()} is QEMU's human-readable text.
 */
public final class QmpErrorException extends QmpException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final String errorClass;
    private final String description;

    public QmpErrorException(String command, String errorClass, String description) {
        super("QMP " + command + " failed: " + errorClass + ": " + description);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    /** The command that failed. */
    public String command() {
        return command;
    }

    /** QMP's error class, e.g. {@code GenericError}. */
    public String errorClass() {
        return errorClass;
    }

    /** QEMU's description of the error. */
    public String description() {
        return description;
    }
}
