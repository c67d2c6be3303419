package io.jvirt.controller;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl with a kubeconfig and a private cache directory; every run is time-limited. */
final class Kubectl {
    record Result(int exit, String out, String err) {}

    private final Path kubeconfig;
    private final Path workDir;

    Kubectl(Path kubeconfig, Path workDir) {
        this.kubeconfig = kubeconfig;
        this.workDir = workDir;
    }

    Result run(String... args) throws IOException, InterruptedException {
        String bin = Files.isExecutable(Path.of("/usr/bin/kubectl")) ? "/usr/bin/kubectl" : "kubectl";
        List<String> cmd = new ArrayList<>(List.of(bin, "--kubeconfig", kubeconfig.toString(), "--cache-dir", workDir.resolve("kubectl-cache").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "kubectl", ".out");
        Path err = Files.createTempFile(workDir, "kubectl", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        boolean done = p.waitFor(90, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Result r = new Result(done ? p.exitValue() : -1, Files.readString(out), Files.readString(err));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    /** Runs and fails unless kubectl exits 0; returns stdout. */
    String ok(String... args) throws IOException, InterruptedException {
        Result r = run(args);
        if (r.exit() != 0) throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + r.exit() + ": " + r.err() + r.out());
        return r.out();
    }
}
