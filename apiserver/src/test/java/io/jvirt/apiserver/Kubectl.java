package io.jvirt.apiserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real kubectl ({@code /usr/bin/kubectl}, which picks the binary by the server's /version
 * minor) with a kubeconfig and a private cache directory. Every run has a timeout and is killed after it.
 */
final class Kubectl {
    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private final Path kubeconfig;
    private final Path cacheDir;

    Kubectl(Path kubeconfig, Path cacheDir) {
        this.kubeconfig = kubeconfig;
        this.cacheDir = cacheDir;
    }

    static String binary() {
        return Files.isExecutable(Path.of("/usr/bin/kubectl")) ? "/usr/bin/kubectl" : "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(60, null, args);
    }

    Result run(int timeoutSeconds, String stdin, String... args) throws IOException, InterruptedException {
        return run(timeoutSeconds, stdin, java.util.Map.of(), args);
    }

    Result run(int timeoutSeconds, String stdin, java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary(), "--kubeconfig", kubeconfig.toString(), "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("KUBECONFIG");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(cacheDir.getParent(), "kubectl", ".out");
        Path err = Files.createTempFile(cacheDir.getParent(), "kubectl", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (stdin != null) {
            try (var os = p.getOutputStream()) {
                os.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Result r = new Result(done ? p.exitValue() : -1, Files.readString(out), Files.readString(err));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    /** Starts kubectl in the background (for -w); the caller destroys it. Output goes to {@code out}. */
    Process start(Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary(), "--kubeconfig", kubeconfig.toString(), "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        return pb.start();
    }
}
