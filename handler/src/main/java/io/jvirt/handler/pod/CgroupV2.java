package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A pod's cgroup on a cgroup v2 host: one directory {@code <root>/jvirt/<name>} of the unified hierarchy with
 * {@code memory.max}, {@code cpu.max} and {@code pids.max}. The controllers a limit needs are enabled in
 * {@code cgroup.subtree_control} of the root and of {@code jvirt} (which holds no process itself, as v2 requires);
 * {@link #killAll} uses {@code cgroup.kill} where the kernel has it (5.14 and later). Made by
 * {@link CgroupHierarchy.V2#cgroup}.
 *
 * @param root the unified hierarchy's mount point
 * @param dir the pod's cgroup, a child of {@code root/jvirt}
 */
public record CgroupV2(Path root, Path dir) implements PodCgroup {
    private static final String UNLIMITED = "max";

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public boolean exists() {
        return Files.isDirectory(dir);
    }

    @Override
    public void create(CgroupLimits limits) throws IOException {
        List<String> needed = new ArrayList<>();
        if (limits.memoryBytes() > 0) needed.add("memory");
        if (limits.cpuMillis() > 0) needed.add("cpu");
        if (limits.pidsMax() > 0) needed.add("pids");
        Path parent = dir.getParent();
        Files.createDirectories(parent);
        if (!needed.isEmpty()) {
            List<String> offered = Arrays.asList(PodCgroup.read(root.resolve("cgroup.controllers")).orElse("").split("\\s+"));
            List<String> missing = needed.stream().filter(c -> !offered.contains(c)).toList();
            if (!missing.isEmpty()) {
                throw new IOException("cgroup v2 at " + root + " does not offer the controllers " + missing
                        + " (cgroup.controllers: " + String.join(" ", offered).strip() + ")");
            }
            String enable = String.join(" ", needed.stream().map(c -> "+" + c).toList());
            Files.writeString(root.resolve("cgroup.subtree_control"), enable);
            Files.writeString(parent.resolve("cgroup.subtree_control"), enable);
        }
        Files.createDirectories(dir);
        set("memory.max", limits.memoryBytes() > 0 ? Long.toString(limits.memoryBytes()) : UNLIMITED, limits.memoryBytes() > 0);
        set("cpu.max", (limits.cpuMillis() > 0 ? Long.toString(limits.cpuQuotaMicros()) : UNLIMITED) + " " + CgroupLimits.CPU_PERIOD_US,
                limits.cpuMillis() > 0);
        set("pids.max", limits.pidsMax() > 0 ? Long.toString(limits.pidsMax()) : UNLIMITED, limits.pidsMax() > 0);
    }

    /** Writes a limit; "unlimited" only where the controller is on (its file exists), a real limit always. */
    private void set(String file, String value, boolean limited) throws IOException {
        Path f = dir.resolve(file);
        if (limited || Files.exists(f)) {
            Files.writeString(f, value);
        }
    }

    @Override
    public CgroupLimits limits() throws IOException {
        String memory = PodCgroup.read(dir.resolve("memory.max")).orElse(UNLIMITED);
        String[] cpu = PodCgroup.read(dir.resolve("cpu.max")).orElse(UNLIMITED).split("\\s+");
        String pids = PodCgroup.read(dir.resolve("pids.max")).orElse(UNLIMITED);
        long period = cpu.length > 1 ? Long.parseLong(cpu[1]) : CgroupLimits.CPU_PERIOD_US;
        return new CgroupLimits(limit(memory), UNLIMITED.equals(cpu[0]) ? 0 : Long.parseLong(cpu[0]) * 1000 / period, limit(pids));
    }

    private static long limit(String value) {
        return UNLIMITED.equals(value) ? 0 : Long.parseLong(value);
    }

    @Override
    public List<Path> procsFiles() {
        return List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public List<Long> pids() throws IOException {
        return PodCgroup.readProcs(dir.resolve("cgroup.procs")).stream().sorted().toList();
    }

    @Override
    public void killAll() throws IOException {
        Path kill = dir.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            Files.writeString(kill, "1");
        }
        PodCgroup.kill(pids()); // kernels before 5.14 have no cgroup.kill
    }

    @Override
    public boolean remove() throws IOException {
        if (!exists()) {
            return true;
        }
        if (!pids().isEmpty()) {
            return false;
        }
        Files.delete(dir);
        return true;
    }

    @Override
    public void renameTo(PodCgroup target) throws IOException {
        Files.move(dir, ((CgroupV2) target).dir);
    }
}
