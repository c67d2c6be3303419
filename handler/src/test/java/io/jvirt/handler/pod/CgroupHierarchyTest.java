package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which cgroup version a host runs, read from its {@code /proc/self/mountinfo} (real lines of each kind of host). */
class CgroupHierarchyTest {
    /** This machine: cgroup v1 controllers, plus an empty unified hierarchy at /sys/fs/cgroup/unified ("hybrid"). */
    static final String HYBRID = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    /** A systemd host with the unified hierarchy only (Debian 11+, Fedora 31+, Ubuntu 21.10+). */
    static final String UNIFIED = """
            22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
            26 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
            29 26 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """;
    /** An older host: cpu and cpuacct mounted together, no unified hierarchy. */
    static final String V1_COMOUNTED = """
            25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755
            30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
            31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
            34 25 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids
            """;
    /** A container whose unified hierarchy sits at a path with a space (the kernel writes it as \\040). */
    static final String UNIFIED_ELSEWHERE = """
            600 500 0:40 / /mnt/my\\040cgroups rw,relatime - cgroup2 cgroup2 rw
            """;

    static Stream<Arguments> hosts() {
        return Stream.of(
                Arguments.of("hybrid: v1", HYBRID, new CgroupHierarchy.V1(Path.of("/sys/fs/cgroup/memory"), Path.of("/sys/fs/cgroup/cpu"),
                        Path.of("/sys/fs/cgroup/pids"))),
                Arguments.of("unified: v2", UNIFIED, new CgroupHierarchy.V2(Path.of("/sys/fs/cgroup"))),
                Arguments.of("v1, cpu,cpuacct together", V1_COMOUNTED, new CgroupHierarchy.V1(Path.of("/sys/fs/cgroup/memory"),
                        Path.of("/sys/fs/cgroup/cpu,cpuacct"), Path.of("/sys/fs/cgroup/pids"))),
                Arguments.of("v2 elsewhere, escaped", UNIFIED_ELSEWHERE, new CgroupHierarchy.V2(Path.of("/mnt/my cgroups"))),
                Arguments.of("v2 at /sys/fs/cgroup wins over another", UNIFIED_ELSEWHERE + UNIFIED, new CgroupHierarchy.V2(Path.of("/sys/fs/cgroup"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void detectsTheVersionTheHostRuns(String host, String mountinfo, CgroupHierarchy expected) {
        assertEquals(expected, CgroupHierarchy.detect(mountinfo));
    }

    @Test
    void aHostWithoutCgroupsOrWithHalfOfV1IsAClearError() {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> CgroupHierarchy.detect("22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"));
        assertTrue(none.getMessage().contains("no cgroup file system"), none.getMessage());
        IllegalStateException noPids = assertThrows(IllegalStateException.class,
                () -> CgroupHierarchy.detect("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                        + "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"));
        assertTrue(noPids.getMessage().contains("pids"), noPids.getMessage());
    }

    @Test
    void podCgroupsAreNamedUnderJvirtAndNamesAreChecked() {
        CgroupHierarchy v2 = new CgroupHierarchy.V2(Path.of("/sys/fs/cgroup"));
        assertEquals(Path.of("/sys/fs/cgroup/jvirt/ab-1"), v2.cgroup("ab-1").path());
        assertThrows(IllegalArgumentException.class, () -> v2.cgroup("../escape"));
        assertThrows(IllegalArgumentException.class, () -> v2.cgroup(""));
    }
}
