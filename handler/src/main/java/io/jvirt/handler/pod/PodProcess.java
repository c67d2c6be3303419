package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Starts a pod's command so that it outlives the agent: a new session ({@code setsid}), inside the
 * pod's network namespace ({@code ip netns exec}), joined to its cgroup before the command
 * runs, stdout and stderr appended to {@code <pod dir>/compute.log}. A small shell wrapper records
 * its own pid in {@code pid} and the command's exit status in {@code exit}, so an agent that
 * restarted can still learn how the command ended. Stateless; thread-safe.
 */
public final class PodProcess {
    static final String PID_FILE = "pid";
    static final String EXIT_FILE = "exit";
    public static final String LOG_FILE = "compute.log";

    /**
     * The last line of the pod's log that says something: not blank and not a stack frame, so a Java
     * exception gives its message (or its last {@code Caused by:}). Empty when there is no log.
     */
    public static java.util.Optional<String> lastLogLine(Path podDir) {
        try (java.util.stream.Stream<String> lines = Files.lines(podDir.resolve(LOG_FILE))) {
            return lines.map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("at ") && !(l.startsWith("...") && l.endsWith("more")))
                    .reduce((a, b) -> b);
        } catch (IOException | java.io.UncheckedIOException e) {
            return java.util.Optional.empty();
        }
    }
    /**
     * Joins the cgroup first: {@code ip netns exec} remounts /sys, hiding the cgroup file system. Umask 077:
     * every file the pod's processes make (pid and exit files, QEMU's sockets and logs) is private to its owner.
     */
    private static final String OUTER = """
            umask 077
            for procs in $JVIRT_CGROUP_PROCS; do echo $$ > "$procs" || exit 125; done
            exec ip netns exec "$JVIRT_NETNS" sh -c "$JVIRT_INNER" jvirt-pod "$@"
            """;
    /** Paths relative to the working directory, the pod directory: they follow it when a standby is claimed (renamed). */
    private static final String INNER = """
            echo $$ > pid.tmp && mv pid.tmp pid
            "$@"
            code=$?
            echo $code > exit.tmp && mv exit.tmp exit
            exit $code
            """;


    /** How long the wrapper may take to join the cgroup and the netns: generous for a heavily loaded host (50 TCG guests booting on 2 cores). */
    static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(60);

    private PodProcess() {}

    /** Starts {@code argv}; returns once the wrapper has joined the cgroup and written its pid. */
    public static PodState start(PodPlan plan, List<String> argv, Path podDir, NetworkNamespace netns, PodCgroup cgroup)
            throws IOException, InterruptedException {
        Files.deleteIfExists(podDir.resolve(PID_FILE));
        Files.deleteIfExists(podDir.resolve(EXIT_FILE));
        createPrivate(podDir.resolve(LOG_FILE));
        List<String> cmd = new ArrayList<>(List.of("setsid", "sh", "-c", OUTER, "jvirt-pod"));
        cmd.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(podDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(podDir.resolve(LOG_FILE).toFile()))
                .redirectErrorStream(true);
        pb.environment().put("JVIRT_CGROUP_PROCS", String.join(" ", cgroup.procsFiles().stream().map(Path::toString).toList()));
        pb.environment().put("JVIRT_NETNS", netns.name());
        pb.environment().put("JVIRT_INNER", INNER);
        Process p = pb.start();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        Path pidFile = podDir.resolve(PID_FILE);
        while (!Files.exists(pidFile)) {
            if (!p.isAlive() && p.exitValue() != 0 && !Files.exists(pidFile)) {
                throw new IOException("pod process exited " + p.exitValue() + " before it started; see " + podDir.resolve(LOG_FILE));
            }
            if (Instant.now().isAfter(deadline)) {
                p.destroyForcibly();
                throw new IOException("pod process did not start within " + START_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(5);
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        long ticks = ProcStat.startTicks(pid).orElse(-1L);
        PodState state = new PodState(plan.uid(), plan.namespace(), plan.name(), pid, ticks, Instant.now().toString(),
                plan.gracePeriodSeconds());
        state.save(podDir);
        return state;
    }

    /** Creates {@code file} empty with mode 0600 unless it exists; makes an existing one 0600. */
    static void createPrivate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(PRIVATE));
        }
        Files.setPosixFilePermissions(file, PRIVATE);
    }

    static final java.util.Set<java.nio.file.attribute.PosixFilePermission> PRIVATE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");

    /** The command's exit status, when the wrapper lived to record it. */
    public static OptionalInt exitCode(Path podDir) {
        try {
            Path f = podDir.resolve(EXIT_FILE);
            return Files.exists(f) ? OptionalInt.of(Integer.parseInt(Files.readString(f).strip())) : OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Stops everything in the pod: SIGTERM to the session's process group and the cgroup, SIGKILL
     * to whatever is left after {@code grace}. Returns when the cgroup is empty (or after 10 s more).
     */
    public static void stop(PodState state, PodCgroup cgroup, Duration grace) throws IOException, InterruptedException {
        if (state != null && state.alive()) {
            signal("TERM", "-" + state.pid());
        }
        for (long pid : cgroup.pids()) {
            signal("TERM", Long.toString(pid));
        }
        if (waitEmpty(state, cgroup, grace)) {
            return;
        }
        if (state != null && state.alive()) {
            signal("KILL", "-" + state.pid());
        }
        cgroup.killAll();
        waitEmpty(state, cgroup, Duration.ofSeconds(10));
    }

    private static void signal(String signal, String target) {
        try {
            new ProcessBuilder("kill", "-" + signal, "--", target).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            // nothing to signal
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean waitEmpty(PodState state, PodCgroup cgroup, Duration within) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if ((state == null || !state.alive()) && cgroup.pids().isEmpty()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Handle to wait for a live pod process, whether or not this JVM started it. */
    public static Optional<ProcessHandle> handle(PodState state) {
        return state.alive() ? ProcessHandle.of(state.pid()) : Optional.empty();
    }
}
