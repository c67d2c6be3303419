package io.jvirt.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the network module's own fixed host commands ({@code ip}, {@code nft}): argv built here, never a
 * string from an API object; standard error joined to the output, which a failure's message carries.
 */
public final class Commands {
    private static final long TIMEOUT_SECONDS = 60;

    private Commands() {}

    /** Runs {@code argv}; returns its output, or throws with it when the exit status is not 0. */
    public static String run(List<String> argv) throws IOException {
        return run(argv, null);
    }

    /** Runs {@code argv} with {@code input} (when not null) on its standard input. */
    public static String run(List<String> argv, String input) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output;
        try (InputStream out = p.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + ": no exit within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", argv), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " exited " + p.exitValue() + ": " + output.strip());
        }
        return output;
    }
}
