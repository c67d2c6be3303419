package io.jvirt.qemu.qmp;

/** The monitor connection ended (QEMU exited, the socket broke, or the client was closed) before a reply. */
public final class QmpDisconnectedException extends QmpException {
    private static final long serialVersionUID = 1L;

    public QmpDisconnectedException(String message) {
        super(message);
    }

    public QmpDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
