package io.jvirt.network.cni;

import java.io.IOException;

/**
 * A CNI plugin's error result (the spec's {@code {"code", "msg", "details"}} on standard output with a
 * non-zero exit), or a plugin that could not run or answered something that is not a result.
 *
 * @see <a href="https://www.cni.dev/docs/spec/#error">CNI spec, Error</a>
 */
public final class CniException extends IOException {
    /** The spec's code for an error that is not the plugin's (it did not run, or its output was unreadable). */
    public static final int NOT_A_PLUGIN_ERROR = -1;

    private final int code;

    public CniException(String plugin, int code, String msg, String details) {
        super(plugin + ": CNI error " + code + ": " + msg + (details == null || details.isEmpty() ? "" : " (" + details + ")"));
        this.code = code;
    }

    /** The spec's error code (1 incompatible version, 2 unsupported field, 3 unknown container, 4 invalid env, ...). */
    public int code() {
        return code;
    }
}
