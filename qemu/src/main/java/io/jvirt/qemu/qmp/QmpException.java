package io.jvirt.qemu.qmp;

import java.io.IOException;

/** Why a QMP call did not return a value: the three ways a call can fail. */
public abstract sealed class QmpException extends IOException
        permits QmpErrorException, QmpDisconnectedException, QmpTimeoutException {
    private static final long serialVersionUID = 1L;

    QmpException(String message) {
        super(message);
    }

    QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
