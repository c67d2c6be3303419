package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A cgroup v1 memory cgroup {@code <root>/jvirt/<name>} holding one pod's processes (named by
 * {@link HostScope#cgroup}). Idempotent create/remove; {@link #remove()} only succeeds once the cgroup is empty.
 */
public record MemoryCgroup(Path path) {
    public static final Path V1_MEMORY_ROOT = Path.of("/sys/fs/cgroup/memory");

    /** Where every jvirt instance's pod cgroups live (each under names of its own, see {@link HostScope}). */
    static final Path PARENT = V1_MEMORY_ROOT.resolve("jvirt");

    static MemoryCgroup named(String name) {
        if (!name.matches("[A-Za-z0-9-]{1,80}")) {
            throw new IllegalArgumentException("bad cgroup name: " + name);
        }
        return new MemoryCgroup(PARENT.resolve(name));
    }

    /** Creates the cgroup and sets {@code memory.limit_in_bytes} (0 = leave unlimited). */
    public void create(long limitBytes) throws IOException {
        Files.createDirectories(path);
        if (limitBytes > 0) {
            Files.writeString(path.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
        }
    }

    public boolean exists() {
        return Files.isDirectory(path);
    }

    public long limitBytes() throws IOException {
        return Long.parseLong(Files.readString(path.resolve("memory.limit_in_bytes")).strip());
    }

    /** Pids currently in the cgroup (empty when it does not exist). */
    public List<Long> pids() throws IOException {
        if (!exists()) {
            return List.of();
        }
        return Arrays.stream(Files.readString(path.resolve("cgroup.procs")).split("\\s+")).filter(s -> !s.isBlank())
                .map(Long::parseLong).toList();
    }

    /** Removes the cgroup if it exists and is empty; returns false when processes remain. */
    public boolean remove() throws IOException {
        if (!exists()) {
            return true;
        }
        if (!pids().isEmpty()) {
            return false;
        }
        Files.delete(path);
        return true;
    }

    /**
     * Removes the cgroup once the kernel has let go of its exited tasks (rmdir fails with EBUSY until
     * then): retried for up to {@code within}. Idempotent.
     *
     * @throws IOException when processes remain after that
     */
    public void removeWhenEmpty(java.time.Duration within) throws IOException, InterruptedException {
        java.time.Instant deadline = java.time.Instant.now().plus(within);
        while (true) {
            try {
                if (remove()) {
                    return;
                }
            } catch (IOException e) {
                if (java.time.Instant.now().isAfter(deadline)) {
                    throw e;
                }
            }
            if (java.time.Instant.now().isAfter(deadline)) {
                throw new IOException("cgroup " + path + " still has tasks " + pids());
            }
            Thread.sleep(100);
        }
    }
}
