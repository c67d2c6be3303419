package io.jvirt.qemu.qmp;

/** No reply arrived within the caller's deadline; the connection stays usable. */
public final class QmpTimeoutException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpTimeoutException(String message) {
        super(message);
    }
}
