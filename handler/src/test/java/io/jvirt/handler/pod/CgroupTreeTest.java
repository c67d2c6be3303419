package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both cgroup versions against a directory tree shaped like cgroupfs (the files a kernel would show, as plain files).
 * What this covers is which file gets which value; the kernel's side (moving processes, enforcing limits, rmdir of a
 * directory full of interface files) runs for real in {@code PodCgroupIT}: v1 with every limit on this machine, v2
 * without controllers on its unified hierarchy.
 */
class CgroupTreeTest {
    @TempDir
    Path root;

    /** A v2 root offering {@code controllers}, none enabled yet, as a freshly booted unified hierarchy shows it. */
    private CgroupHierarchy.V2 v2(String controllers) throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), controllers);
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        Files.writeString(root.resolve("cgroup.procs"), "1\n");
        return new CgroupHierarchy.V2(root);
    }

    private CgroupHierarchy.V1 v1() throws IOException {
        return new CgroupHierarchy.V1(Files.createDirectories(root.resolve("memory")), Files.createDirectories(root.resolve("cpu,cpuacct")),
                Files.createDirectories(root.resolve("pids")));
    }

    /** Every file under {@code dir} with its content, relative to the root. */
    private Map<String, String> files(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(f).toString(), Files.readString(f));
            }
        }
        return out;
    }

    static Stream<Arguments> v2Limits() {
        return Stream.of(
                Arguments.of(new CgroupLimits(440L << 20, 250, 4096), "+memory +cpu +pids",
                        Map.of("memory.max", "461373440", "cpu.max", "25000 100000", "pids.max", "4096")),
                Arguments.of(new CgroupLimits(64L << 20, 0, 0), "+memory", Map.of("memory.max", "67108864")),
                Arguments.of(new CgroupLimits(0, 1, 0), "+cpu", Map.of("cpu.max", "1000 100000")), // the kernel's smallest quota
                Arguments.of(new CgroupLimits(0, 2500, 0), "+cpu", Map.of("cpu.max", "250000 100000")),
                Arguments.of(CgroupLimits.NONE, "", Map.of()));
    }

    @ParameterizedTest
    @MethodSource("v2Limits")
    void v2WritesTheUnifiedFilesAndEnablesOnlyTheControllersALimitNeeds(CgroupLimits limits, String enabled, Map<String, String> written)
            throws IOException {
        PodCgroup cgroup = v2("cpuset cpu io memory hugetlb pids rdma misc").cgroup("0badcafe-pod");
        cgroup.create(limits);
        assertEquals(new CgroupV2(root, root.resolve("jvirt/0badcafe-pod")), cgroup);
        assertEquals(enabled, Files.readString(root.resolve("cgroup.subtree_control")), "the root passes the controllers down");
        if (enabled.isEmpty()) {
            assertFalse(Files.exists(root.resolve("jvirt/cgroup.subtree_control")));
        } else {
            assertEquals(enabled, Files.readString(root.resolve("jvirt/cgroup.subtree_control")), "and jvirt/ to each pod");
        }
        Map<String, String> expected = new TreeMap<>();
        written.forEach((file, value) -> expected.put("jvirt/0badcafe-pod/" + file, value));
        assertEquals(expected, files(cgroup.path()));
        CgroupLimits readBack = limits.cpuMillis() == 1 ? new CgroupLimits(0, 10, 0) : limits; // raised to the smallest quota
        assertEquals(readBack, cgroup.limits());
    }

    @Test
    void v2ChangesTheLimitsOfAnExistingCgroupAndLiftsThemWhereTheControllerIsOn() throws IOException {
        PodCgroup cgroup = v2("cpu memory pids").cgroup("standby-1");
        cgroup.create(new CgroupLimits(64L << 20, 500, 100));
        cgroup.create(CgroupLimits.NONE);
        assertEquals(Map.of("jvirt/standby-1/memory.max", "max", "jvirt/standby-1/cpu.max", "max 100000", "jvirt/standby-1/pids.max", "max"),
                files(cgroup.path()));
        assertEquals(CgroupLimits.NONE, cgroup.limits());
    }

    @Test
    void v2WithoutTheControllerALimitNeedsRefusesToStartInsteadOfRunningUnlimited() throws IOException {
        PodCgroup cgroup = v2("cpu io").cgroup("pod");
        IOException e = assertThrows(IOException.class, () -> cgroup.create(new CgroupLimits(64L << 20, 0, 4096)));
        assertTrue(e.getMessage().contains("[memory, pids]") && e.getMessage().contains("cgroup.controllers: cpu io"), e.getMessage());
        assertFalse(cgroup.exists());
    }

    @Test
    void v2JoinsListsAndKillsThroughCgroupProcsAndCgroupKill() throws Exception {
        PodCgroup cgroup = v2("memory").cgroup("pod");
        cgroup.create(CgroupLimits.NONE);
        assertEquals(List.of(root.resolve("jvirt/pod/cgroup.procs")), cgroup.procsFiles());
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            cgroup.join(sleeper.pid());
            assertEquals(List.of(sleeper.pid()), cgroup.pids());
            assertFalse(cgroup.remove(), "not while a process is in it");
            Files.writeString(cgroup.path().resolve("cgroup.kill"), "0");
            cgroup.killAll();
            assertEquals("1", Files.readString(cgroup.path().resolve("cgroup.kill")));
            assertTrue(sleeper.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "killed");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void v1WritesEachControllersFilesInItsOwnHierarchy() throws IOException {
        CgroupHierarchy.V1 h = v1();
        PodCgroup cgroup = h.cgroup("0badcafe-pod");
        cgroup.create(new CgroupLimits(440L << 20, 250, 4096));
        assertEquals(Map.of("memory/jvirt/0badcafe-pod/memory.limit_in_bytes", "461373440",
                "cpu,cpuacct/jvirt/0badcafe-pod/cpu.cfs_period_us", "100000", "cpu,cpuacct/jvirt/0badcafe-pod/cpu.cfs_quota_us", "25000",
                "pids/jvirt/0badcafe-pod/pids.max", "4096"), files(root));
        assertEquals(new CgroupLimits(440L << 20, 250, 4096), cgroup.limits());
        assertEquals(List.of(root.resolve("memory/jvirt/0badcafe-pod/cgroup.procs"), root.resolve("cpu,cpuacct/jvirt/0badcafe-pod/cgroup.procs"),
                root.resolve("pids/jvirt/0badcafe-pod/cgroup.procs")), cgroup.procsFiles());
        cgroup.create(CgroupLimits.NONE);
        assertEquals("-1", Files.readString(root.resolve("memory/jvirt/0badcafe-pod/memory.limit_in_bytes")));
        assertEquals("max", Files.readString(root.resolve("pids/jvirt/0badcafe-pod/pids.max")));
        // the kernel shows an unlimited memory cgroup as the largest page-aligned long
        Files.writeString(root.resolve("memory/jvirt/0badcafe-pod/memory.limit_in_bytes"), "9223372036854771712\n");
        assertEquals(CgroupLimits.NONE, cgroup.limits());
        assertEquals(List.of("0badcafe-pod"), h.names("0badcafe-"));
        assertEquals(List.of(), h.names("0badcaff-"));
    }

    @Test
    void v1PidsAreTheUnionOfTheHierarchies() throws IOException {
        PodCgroup cgroup = v1().cgroup("pod");
        cgroup.create(CgroupLimits.NONE);
        Files.writeString(root.resolve("memory/jvirt/pod/cgroup.procs"), "12\n7\n");
        Files.writeString(root.resolve("pids/jvirt/pod/cgroup.procs"), "7\n99\n");
        assertEquals(List.of(7L, 12L, 99L), cgroup.pids());
    }

    @Test
    void limitsAreNeverNegative() {
        assertThrows(IllegalArgumentException.class, () -> new CgroupLimits(-1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new CgroupLimits(0, Long.MAX_VALUE, 0));
    }
}
