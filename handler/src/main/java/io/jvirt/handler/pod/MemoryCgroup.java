package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A cgroup v1 memory cgroup {@code <root>/jvirt/<pod uid>} holding one pod's processes. Idempotent
 * create/remove; {@link #remove()} only succeeds once the cgroup is empty.
 */
public record MemoryCgroup(Path path) {
    public static final Path V1_MEMORY_ROOT = Path.of("/sys/fs/cgroup/memory");

    public static MemoryCgroup forPod(String uid) {
        if (!uid.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("bad pod uid: " + uid);
        }
        return new MemoryCgroup(V1_MEMORY_ROOT.resolve("jvirt").resolve(uid));
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
}
