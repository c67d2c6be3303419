package io.jvirt.e2e;

import io.jvirt.api.ExampleDirs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * jvirt as a user runs it: {@code ./jvirt up} from the repository root with a private
 * {@code JVIRT_HOME} (a temp dir) and a free {@code JVIRT_API_PORT}, so it never meets a developer's
 * own instance. {@link #close()} runs {@code ./jvirt down} and removes the home.
 */
final class JvirtUp implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("jvirt.build.dir", "build")).toAbsolutePath().getParent();
    static final Path EXAMPLES = ExampleDirs.ours();

    record Result(int exit, String out) {
    }

    private final Path home;
    private final int port;

    private JvirtUp(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    /** Runs {@code ./jvirt up} in a fresh home; fails with the script's output when it does not come up. */
    static JvirtUp start() throws Exception {
        JvirtUp up = inFreshHome();
        up.up();
        return up;
    }

    /** A fresh home and a free port, nothing started yet (to prepare the home, or to run {@code up} expecting failure). */
    static JvirtUp inFreshHome() throws Exception {
        Path home = Files.createTempDirectory("jvirt-e2e");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // QEMU's user passes through
        return new JvirtUp(home, freePort());
    }

    /** {@code ./jvirt up} (again, e.g. after {@link #killControlPlane()}). */
    void up() throws Exception {
        Result r = jvirt("up");
        if (r.exit() != 0) {
            throw new AssertionError("./jvirt up exited " + r.exit() + ":\n" + r.out() + "\nlog:\n" + log());
        }
    }

    Path home() {
        return home;
    }

    /** The node agent's instance id ({@code node/instance-id}): every netns, cgroup and rule name of this instance carries it. */
    String instanceId() throws IOException {
        return Files.readString(home().resolve("node/instance-id")).strip();
    }

    /** The API server's port on 127.0.0.1 ({@code JVIRT_API_PORT}). */
    int port() {
        return port;
    }

    /** The processes (pids) that run with this instance's {@code JVIRT_HOME} in their environment. */
    List<Long> processes() throws IOException {
        byte[] marker = ("JVIRT_HOME=" + home + "\0").getBytes(StandardCharsets.UTF_8);
        List<Long> found = new ArrayList<>();
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) proc::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == ProcessHandle.current().pid()) {
                    continue;
                }
                try {
                    byte[] environ = Files.readAllBytes(p.resolve("environ"));
                    if (indexOf(environ, marker) >= 0) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException gone) {
                    // ended meanwhile, or a kernel thread
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    Path kubeconfig() {
        return home.resolve("kubeconfig");
    }

    String log() throws IOException {
        Path log = home.resolve("logs/jvirt.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    /** {@code kill -9} of the control-plane process (API server, controllers, node agent); VMs keep running. */
    void killControlPlane() throws Exception {
        long pid = Long.parseLong(Files.readString(home.resolve("jvirt.pid")).strip());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("control plane " + pid + " not running"));
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        p.onExit().get(30, TimeUnit.SECONDS);
    }

    /** Runs the stock kubectl with this instance's kubeconfig; stdout and stderr together. */
    Result kubectlResult(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig().toString(),
                "--cache-dir", home.resolve("kubectl-cache").toString()));
        argv.addAll(List.of(args));
        return run(argv, null);
    }

    /** kubectl that must succeed; returns its output. */
    String kubectl(String... args) throws Exception {
        Result r = kubectlResult(args);
        if (r.exit() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    /** kubectl as another user ({@code kubeconfig}), reading {@code stdin} when not null; stdout and stderr together. */
    Result kubectlAs(Path kubeconfig, String stdin, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", home.resolve("kubectl-cache").toString()));
        argv.addAll(List.of(args));
        return run(argv, stdin);
    }

    /** kubectl reading {@code stdin} (e.g. {@code apply -f -}). */
    String kubectlWithInput(String stdin, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig().toString()));
        argv.addAll(List.of(args));
        Result r = run(argv, stdin);
        if (r.exit() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    Result jvirt(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ROOT.resolve("jvirt").toString()));
        argv.addAll(List.of(args));
        return run(argv, null);
    }

    /** {@code ./virtctl --kubeconfig <this instance's> args...}; stdout and stderr together. */
    Result virtctl(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ROOT.resolve("virtctl").toString(), "--kubeconfig", kubeconfig().toString()));
        argv.addAll(List.of(args));
        return run(argv, null);
    }

    private Result run(List<String> argv, String stdin) throws Exception {
        Path out = Files.createTempFile("jvirt-e2e", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("JVIRT_HOME", home.toString());
            pb.environment().put("JVIRT_API_PORT", Integer.toString(port));
            pb.environment().remove("KUBECONFIG");
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", argv) + " did not finish in 10 minutes: " + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            Result down = jvirt("down");
            if (down.exit() != 0) {
                System.err.println("./jvirt down exited " + down.exit() + ": " + down.out());
            }
        } finally {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
