package io.jvirt.handler.pod;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What the agent remembers of a pod process across its own restarts, in {@code <pod dir>/state.json}.
 *
 * @param pid the wrapper process (session leader; in the pod's netns and cgroup)
 * @param startTicks its start time in clock ticks since boot ({@code /proc/<pid>/stat} field 22),
 *     so a recycled pid is never mistaken for it
 * @param startedAt RFC 3339 time the process started
 * @param graceSeconds the pod's termination grace period, used when the pod is gone from the API
 */
public record PodState(String uid, String namespace, String name, long pid, long startTicks, String startedAt, long graceSeconds) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FILE = "state.json";

    /** Writes atomically (temp file + rename), mode 0600. */
    public void save(Path podDir) throws IOException {
        Path tmp = podDir.resolve(FILE + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(this));
        Files.setPosixFilePermissions(tmp, PodProcess.PRIVATE);
        Files.move(tmp, podDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public static Optional<PodState> load(Path podDir) throws IOException {
        Path file = podDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), PodState.class));
    }

    /** The process: a pid with its start time, never mistaken for a later process with a recycled pid. */
    record Identity(long pid, long startTicks) {}

    Identity identity() {
        return new Identity(pid, startTicks);
    }

    /** True when the recorded process still runs (same pid and same start time). */
    public boolean alive() {
        return ProcStat.startTicks(pid).map(t -> t == startTicks).orElse(false);
    }
}
