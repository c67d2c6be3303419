package io.jvirt.qemu.img;

import java.io.IOException;
import java.util.List;

/** qemu-img failed (non-zero exit or timeout); the message carries the command and qemu-img's own words. */
public final class QemuImgException extends IOException {
    private static final long serialVersionUID = 1L;

    private final List<String> argv;
    private final int exitCode;
    private final String stderr;

    public QemuImgException(List<String> argv, int exitCode, String stderr) {
        super(String.join(" ", argv) + (exitCode < 0 ? " timed out" : " exited " + exitCode)
                + (stderr.isBlank() ? "" : ": " + stderr.strip()));
        this.argv = List.copyOf(argv);
        this.exitCode = exitCode;
        this.stderr = stderr.strip();
    }

    /** The first line qemu-img wrote to its standard error (its own words, without the command), or "". */
    public String firstError() {
        int nl = stderr.indexOf('\n');
        return nl < 0 ? stderr : stderr.substring(0, nl);
    }

    /** The command that failed. */
    public List<String> argv() {
        return argv;
    }

    /** qemu-img's exit code, or -1 if it was killed after the timeout. */
    public int exitCode() {
        return exitCode;
    }
}
