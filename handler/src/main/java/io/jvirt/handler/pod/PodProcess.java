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
 * Starts a pod's one process (QEMU) so that it outlives the agent: a new session, joined to the pod's cgroup,
 * inside its network namespace ({@code ip netns exec}), stdout and stderr appended to {@code <pod dir>/compute.log},
 * with the descriptors it is handed (taps) at their numbers. Started by the network driver's {@code FdSpawn}
 * ({@code posix_spawn}: Java's {@code ProcessBuilder} would close every descriptor above 2). Every step of the small
 * shell wrapper execs the next, so the process the agent started is the command itself (no shell stays behind); the
 * wrapper writes its pid to {@code <pod dir>/pid} first. While the agent's JVM lives, it is the process's parent,
 * reaps it ({@code FdSpawn}'s {@code waitpid}) and records its exit status in
 * {@code exit} ({@link #exitRecorded}); a process that ends while no agent's JVM was its parent leaves no
 * {@code exit}. Thread-safe.
 */
public final class PodProcess {
    static final String PID_FILE = "pid";
    static final String EXIT_FILE = "exit";
    public static final String LOG_FILE = "compute.log";

    /** How the node agent's own lines in a pod's log begin (QEMU's are the others). */
    public static final String AGENT_PREFIX = "jvirt-handler: ";

    /**
     * The last line of the pod's log that the pod's process wrote (QEMU's last words on stderr): not blank, not
     * one of the agent's. Empty when there is none.
     */
    public static java.util.Optional<String> lastProcessLine(Path podDir) {
        try (java.util.stream.Stream<String> lines = Files.lines(podDir.resolve(LOG_FILE))) {
            return lines.map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith(AGENT_PREFIX.strip())).reduce((a, b) -> b);
        } catch (IOException | java.io.UncheckedIOException e) {
            return java.util.Optional.empty();
        }
    }

    /** Appends one of the agent's lines ({@link #AGENT_PREFIX}) to the pod's log, where {@code kubectl logs} shows it. */
    public static void logAgentLine(Path podDir, String line) {
        try {
            Files.writeString(podDir.resolve(LOG_FILE), AGENT_PREFIX + line + "\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the pod directory is gone: nobody can read the line any more
        }
    }
    /**
     * Joins the cgroup first: {@code ip netns exec} remounts /sys, hiding the cgroup file system. Umask 077:
     * every file the pod's processes make (pid and exit files, QEMU's sockets and logs) is private to its owner.
     */
    private static final String OUTER = """
            umask 077
            cd "$JVIRT_POD_DIR" || exit 125
            for procs in $JVIRT_CGROUP_PROCS; do echo $$ > "$procs" || exit 125; done
            exec ip netns exec "$JVIRT_NETNS" sh -c "$JVIRT_INNER" jvirt-pod "$@"
            """;
    /** In the pod directory (the working directory): the pid, then the command in this very process. */
    private static final String INNER = """
            echo $$ > pid.tmp && mv pid.tmp pid
            exec "$@"
            """;


    /**
     * The exit recordings of the processes this JVM started and that still run, by pid and start time: the JVM is
     * their parent whichever pod runner started them, so a runner made after another one's close (an agent restarted
     * in the same JVM) waits for the recording too instead of reading {@code exit} before it is written.
     */
    private static final java.util.Map<PodState.Identity, java.util.concurrent.CompletableFuture<Void>> RECORDINGS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** How long the wrapper may take to join the cgroup and the netns: generous for a heavily loaded host (50 TCG guests booting on 2 cores). */
    static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(60);

    private PodProcess() {}

    /**
     * Starts {@code argv} with {@code fds} (number in the process → open descriptor of the agent, e.g. a tap) inherited;
     * returns once the wrapper has joined the cgroup and written its pid, with what an agent needs to find the process
     * again. The agent's descriptors stay open: the caller closes them.
     */
    public static PodState start(PodPlan plan, List<String> argv, Path podDir, NetworkNamespace netns, PodCgroup cgroup,
            java.util.Map<Integer, Integer> fds) throws IOException, InterruptedException {
        Files.deleteIfExists(podDir.resolve(PID_FILE));
        Files.deleteIfExists(podDir.resolve(EXIT_FILE));
        createPrivate(podDir.resolve(LOG_FILE));
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", OUTER, "jvirt-pod"));
        cmd.addAll(argv);
        String path = System.getenv("PATH");
        java.util.Map<String, String> env = java.util.Map.of(
                "PATH", path == null || path.isBlank() ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path,
                "JVIRT_POD_DIR", podDir.toAbsolutePath().toString(),
                "JVIRT_CGROUP_PROCS", String.join(" ", cgroup.procsFiles().stream().map(Path::toString).toList()),
                "JVIRT_NETNS", netns.name(),
                "JVIRT_INNER", INNER);
        io.jvirt.network.FdSpawn.Child p = io.jvirt.network.FdSpawn.start(cmd, env, podDir.resolve(LOG_FILE), fds);
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        Path pidFile = podDir.resolve(PID_FILE);
        while (!Files.exists(pidFile)) {
            if (p.exit().isDone() && !Files.exists(pidFile)) {
                throw new IOException("pod process exited " + p.exit().join() + " before it started; see " + podDir.resolve(LOG_FILE));
            }
            if (Instant.now().isAfter(deadline)) {
                p.process().destroyForcibly();
                throw new IOException("pod process did not start within " + START_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(5);
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        long ticks = ProcStat.startTicks(pid).orElse(-1L);
        PodState state = new PodState(plan.uid(), plan.namespace(), plan.name(), pid, ticks, Instant.now().toString(),
                plan.gracePeriodSeconds());
        state.save(podDir);
        java.util.concurrent.CompletableFuture<Void> recorded = new java.util.concurrent.CompletableFuture<>();
        RECORDINGS.put(state.identity(), recorded);
        p.exit().whenComplete((code, unreaped) -> {
            try {
                if (code == null) {
                    return; // not reaped (someone else waited for it): the status is unknown
                }
                Path tmp = podDir.resolve(EXIT_FILE + ".tmp");
                Files.writeString(tmp, code + "\n");
                Files.move(tmp, podDir.resolve(EXIT_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // the pod directory is gone (torn down): nobody asks for the status any more
            } finally {
                RECORDINGS.remove(state.identity(), recorded);
                recorded.complete(null);
            }
        });
        return state;
    }

    /**
     * Completes once the process of {@code state} has ended and, when this JVM is its parent (it started it), once
     * its exit status is in {@code exit}; empty when the process has ended already and this JVM records nothing of it.
     */
    public static Optional<java.util.concurrent.CompletableFuture<?>> exitRecorded(PodState state) {
        java.util.concurrent.CompletableFuture<Void> recorded = RECORDINGS.get(state.identity());
        if (recorded != null) {
            return Optional.of(recorded);
        }
        return handle(state).map(ProcessHandle::onExit);
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
