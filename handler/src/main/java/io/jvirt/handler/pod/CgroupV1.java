package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * A pod's cgroup on a cgroup v1 host: a directory of the same name in the memory, cpu and pids hierarchies
 * ({@code memory.limit_in_bytes}, {@code cpu.cfs_quota_us}/{@code cpu.cfs_period_us}, {@code pids.max}). A process
 * joins all three. Made by {@link CgroupHierarchy.V1#cgroup}.
 */
public record CgroupV1(Path memoryDir, Path cpuDir, Path pidsDir) implements PodCgroup {
    private static final String UNLIMITED = "-1";

    private List<Path> dirs() {
        return List.of(memoryDir, cpuDir, pidsDir);
    }

    @Override
    public Path path() {
        return memoryDir;
    }

    @Override
    public boolean exists() {
        return dirs().stream().anyMatch(Files::isDirectory);
    }

    @Override
    public void create(CgroupLimits limits) throws IOException {
        for (Path dir : dirs()) {
            Files.createDirectories(dir);
        }
        Files.writeString(memoryDir.resolve("memory.limit_in_bytes"), limits.memoryBytes() > 0 ? Long.toString(limits.memoryBytes()) : UNLIMITED);
        Files.writeString(cpuDir.resolve("cpu.cfs_period_us"), Long.toString(CgroupLimits.CPU_PERIOD_US));
        Files.writeString(cpuDir.resolve("cpu.cfs_quota_us"), limits.cpuMillis() > 0 ? Long.toString(limits.cpuQuotaMicros()) : UNLIMITED);
        Files.writeString(pidsDir.resolve("pids.max"), limits.pidsMax() > 0 ? Long.toString(limits.pidsMax()) : "max");
    }

    @Override
    public CgroupLimits limits() throws IOException {
        long memoryBytes = PodCgroup.read(memoryDir.resolve("memory.limit_in_bytes")).map(Long::parseLong).orElse(0L);
        // v1 reports "unlimited" as the largest page-aligned long
        long memoryLimit = memoryBytes >= Long.MAX_VALUE - (1L << 20) ? 0 : memoryBytes;
        long quota = PodCgroup.read(cpuDir.resolve("cpu.cfs_quota_us")).map(Long::parseLong).orElse(-1L);
        long period = PodCgroup.read(cpuDir.resolve("cpu.cfs_period_us")).map(Long::parseLong).orElse(CgroupLimits.CPU_PERIOD_US);
        String pidsMax = PodCgroup.read(pidsDir.resolve("pids.max")).orElse("max");
        return new CgroupLimits(memoryLimit, quota <= 0 ? 0 : quota * 1000 / period, "max".equals(pidsMax) ? 0 : Long.parseLong(pidsMax));
    }

    @Override
    public List<Path> procsFiles() {
        return dirs().stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    @Override
    public List<Long> pids() throws IOException {
        TreeSet<Long> all = new TreeSet<>();
        for (Path procs : procsFiles()) {
            all.addAll(PodCgroup.readProcs(procs));
        }
        return List.copyOf(all);
    }

    @Override
    public void killAll() throws IOException {
        PodCgroup.kill(pids());
    }

    @Override
    public boolean remove() throws IOException {
        if (!pids().isEmpty()) {
            return false;
        }
        for (Path dir : dirs()) {
            Files.deleteIfExists(dir);
        }
        return true;
    }

    @Override
    public void renameTo(PodCgroup target) throws IOException {
        CgroupV1 to = (CgroupV1) target;
        Files.move(memoryDir, to.memoryDir);
        Files.move(cpuDir, to.cpuDir);
        Files.move(pidsDir, to.pidsDir);
    }
}
