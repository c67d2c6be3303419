package io.jvirt.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of {@code bench/run lifecycle}: QEMU started by hand on the very argv the node agent ran for a
 * VMI ({@code qemu-argv.json} in its pod directory), with its own run directory and a fresh overlay of the same
 * demo image, as the same unprivileged user, without {@code -S} (nobody sends {@code cont}). No control plane,
 * no netns, no cgroup: what QEMU alone costs on that argv.
 */
final class BareQemu implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final Process process;
    final Path runDirectory;
    final long startedAtMs;

    private BareQemu(Process process, Path runDirectory, long startedAtMs) {
        this.process = process;
        this.runDirectory = runDirectory;
        this.startedAtMs = startedAtMs;
    }

    /**
     * The argv of a VMI the agent ran, read from its pod directory: the template for {@link #start}.
     *
     * @param podDir {@code $JVIRT_HOME/node/pods/<pod uid>}
     */
    static List<String> argvOf(Path podDir) throws IOException {
        return List.of(JSON.readValue(podDir.resolve("qemu-argv.json").toFile(), String[].class));
    }

    /**
     * Starts QEMU on {@code template} with every path of the VMI's run directory {@code vmiRun} and its disk
     * {@code vmiDisk} moved to {@code dir} (a fresh overlay over {@code image}); returns at once.
     */
    static BareQemu start(List<String> template, String vmiRun, String vmiDisk, Path image, Path dir) throws Exception {
        Path run = Files.createDirectories(dir);
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        Path disk = run.resolve("disk.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image.toString(), disk.toString());
        for (Path p : List.of(run, disk)) {
            Files.setAttribute(p, "unix:uid", 107);
            Files.setAttribute(p, "unix:gid", 107);
        }
        List<String> argv = new ArrayList<>(List.of("/usr/bin/env", "-i", "LC_ALL=C", "/usr/bin/setpriv", "--reuid=107", "--regid=107",
                "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"));
        for (String word : template) {
            if (!word.equals("-S")) {
                argv.add(withoutTapDescriptor(word.replace(vmiDisk, disk.toString()).replace(vmiRun, run.toString())));
            }
        }
        long at = System.currentTimeMillis();
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(run.resolve("qemu.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        return new BareQemu(p, run, at);
    }

    /** True once the guest printed {@code login:} on its serial console. */
    boolean atLogin() throws IOException {
        Path serial = runDirectory.resolve("serial.log");
        return Files.exists(serial) && Files.readString(serial, java.nio.charset.StandardCharsets.ISO_8859_1).contains("login:");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        try (var files = Files.walk(runDirectory)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * A {@code -netdev tap,...,fd=N} word (the agent hands QEMU its tap as a descriptor) as user-mode networking with
     * the same id and nothing reachable ({@code restrict=on}): bare QEMU has no tap descriptor to inherit, and the guest
     * still gets its NIC.
     */
    static String withoutTapDescriptor(String word) {
        if (!word.startsWith("tap,") || !word.matches(".*,fd=\\d+.*")) {
            return word;
        }
        String id = java.util.Arrays.stream(word.split(",")).filter(w -> w.startsWith("id=")).findFirst().orElse("id=net0");
        return "user," + id + ",restrict=on";
    }
}
