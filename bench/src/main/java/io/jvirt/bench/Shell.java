package io.jvirt.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The benchmarks' own shell lines (the baselines' tool pipelines, image preparation); never input from elsewhere. */
final class Shell {
    private Shell() {
    }

    /** Runs {@code command} with {@code sh -c}; fails with its output unless it exits 0. */
    static void run(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(command + " exited " + p.exitValue() + ": " + out);
        }
    }
}
