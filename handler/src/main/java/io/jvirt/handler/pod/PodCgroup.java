package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One pod's cgroup, whichever version the host runs ({@link CgroupHierarchy#host()}): cgroup v1 (one directory per
 * controller hierarchy: memory, cpu, pids) or v2 (one directory in the unified hierarchy). Named by
 * {@link HostScope#cgroup}. Every method is idempotent; none keeps state beyond the file system, so any number of
 * instances may name the same cgroup.
 */
public sealed interface PodCgroup permits CgroupV1, CgroupV2 {

    /** The directory that names the cgroup in logs (v1: the memory hierarchy's). */
    Path path();

    /** Whether the cgroup exists. */
    boolean exists();

    /**
     * Creates the cgroup (and what it needs above it) and sets {@code limits}; on an existing cgroup only sets them,
     * so a later call changes the limits of the processes already in it.
     *
     * @throws IOException when the host cannot limit what {@code limits} asks (e.g. a v2 controller not available)
     */
    void create(CgroupLimits limits) throws IOException;

    /** The limits in force (0 where unlimited). */
    CgroupLimits limits() throws IOException;

    /**
     * The {@code cgroup.procs} files a process joins the cgroup through: writing a pid into each moves that process
     * (its later children follow). A shell can do it itself before it execs what the pod runs.
     */
    List<Path> procsFiles();

    /** Moves process {@code pid} into the cgroup. */
    default void join(long pid) throws IOException {
        for (Path procs : procsFiles()) {
            Files.writeString(procs, Long.toString(pid));
        }
    }

    /** Pids of the processes in the cgroup, ascending (empty when it does not exist). */
    List<Long> pids() throws IOException;

    /** Sends SIGKILL to every process in the cgroup; returns without waiting for them to end. */
    void killAll() throws IOException;

    /** Removes the cgroup when it is empty; returns false when processes remain. True when it does not exist. */
    boolean remove() throws IOException;

    /**
     * Gives the cgroup the name of {@code target} (a rename: the processes stay in it), which must not exist. Only the
     * standby launcher uses it, for the pod that claims it.
     */
    void renameTo(PodCgroup target) throws IOException;

    /**
     * Removes the cgroup once the kernel has let go of its exited tasks (rmdir fails with EBUSY until then): retried
     * for up to {@code within}.
     *
     * @throws IOException when processes remain after that
     */
    default void removeWhenEmpty(Duration within) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            try {
                if (remove()) {
                    return;
                }
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("cgroup " + path() + " still has tasks " + pids());
            }
            Thread.sleep(100);
        }
    }

    /** The pids listed in a {@code cgroup.procs} file (empty when it does not exist). */
    static List<Long> readProcs(Path procs) throws IOException {
        if (!Files.exists(procs)) {
            return List.of();
        }
        return java.util.Arrays.stream(Files.readString(procs).split("\\s+")).filter(s -> !s.isBlank()).map(Long::parseLong).toList();
    }

    /** SIGKILL to each of {@code pids} that is still alive (a process that ended meanwhile is skipped). */
    static void kill(List<Long> pids) {
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** A cgroup file's value, or empty when it does not exist. */
    static java.util.Optional<String> read(Path file) throws IOException {
        return Files.exists(file) ? java.util.Optional.of(Files.readString(file).strip()) : java.util.Optional.empty();
    }
}
