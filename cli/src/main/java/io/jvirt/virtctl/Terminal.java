package io.jvirt.virtctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The controlling terminal's mode, through stty on the inherited stdin (Java has no termios). */
final class Terminal {
    private Terminal() {
    }

    /** Switches stdin's terminal to raw mode without echo; returns the settings to restore, or null when stdin is not a terminal. */
    static String makeRaw() throws IOException, InterruptedException {
        Process get = new ProcessBuilder("stty", "-g").redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String saved = new String(get.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (get.waitFor() != 0 || saved.isEmpty()) {
            return null;
        }
        stty("raw", "-echo");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> restore(saved)));
        return saved;
    }

    /** Puts back what {@link #makeRaw()} saved (no-op for null). Idempotent. */
    static void restore(String saved) {
        if (saved == null) {
            return;
        }
        try {
            stty(saved);
        } catch (IOException | InterruptedException e) {
            System.err.println("virtctl: could not restore the terminal (run 'reset'): " + e.getMessage());
        }
    }

    private static void stty(String... args) throws IOException, InterruptedException {
        String[] argv = new String[args.length + 1];
        argv[0] = "stty";
        System.arraycopy(args, 0, argv, 1, args.length);
        new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }
}
