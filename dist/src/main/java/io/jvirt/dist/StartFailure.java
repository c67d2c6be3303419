package io.jvirt.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Why the control plane did not start, told once for the user: written to {@code $JVIRT_HOME/start.failed}
 * (one line, 0600; {@code ./jvirt up} prints it) and to the log with the stack trace.
 */
final class StartFailure {

    private static final System.Logger LOG = System.getLogger(StartFailure.class.getName());
    static final String FILE = "start.failed";

    private StartFailure() {
    }

    /** Logs {@code failure} and writes its {@link #reason} to {@code home}/{@value #FILE} (best effort). */
    static void report(Path home, Throwable failure) {
        String reason = reason(failure);
        LOG.log(System.Logger.Level.ERROR, "jvirt: start failed: " + reason, failure);
        Path file = home.resolve(FILE);
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, reason + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write " + file, e);
        }
    }

    /**
     * The messages along {@code failure}'s cause chain joined by ": ", skipping those a wrapper copies from
     * its cause and those already said, e.g. {@code cannot listen on 127.0.0.1:6443: Address already in use}.
     */
    static String reason(Throwable failure) {
        StringBuilder reason = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message == null || message.isBlank()
                    || (t.getCause() != null && message.equals(t.getCause().toString()))
                    || reason.indexOf(message) >= 0) {
                continue;
            }
            reason.append(reason.isEmpty() ? "" : ": ").append(message.strip());
        }
        return reason.isEmpty() ? failure.toString() : reason.toString();
    }
}
