package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.handler.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sweep removes this instance's network namespaces, cgroups (and their processes), run and disk
 * directories of pods it has no directory for; a known pod's stay, and so does everything of another
 * instance on the same host (real netns, cgroups, processes).
 */
class LeftoverSweepIT {
    @Test
    void removesOnlyThisInstancesLeftoversOfUnknownPods() throws Exception {
        Path data = Files.createTempDirectory("jvirt-sweep");
        HostScope mine = HostScope.of(data);
        HostScope other = new HostScope(mine.id().equals("0badcafe") ? "0badcaff" : "0badcafe");
        String stale = UUID.randomUUID().toString();
        String known = UUID.randomUUID().toString();
        String pending = UUID.randomUUID().toString();
        Path pods = Files.createDirectories(data.resolve("pods"));
        Path disks = Files.createDirectories(data.resolve("disks"));
        Files.createDirectories(pods.resolve(known));
        List<Process> sleepers = new ArrayList<>();
        try {
            for (String uid : List.of(stale, known, pending)) {
                leftovers(mine, uid, disks, sleepers);
            }
            leftovers(other, stale, null, sleepers);

            List<String> removed = LeftoverSweep.sweep(mine, pods, disks, Set.of(pending));

            assertFalse(mine.cgroup(stale).exists(), "stale cgroup removed: " + removed);
            assertFalse(Files.exists(Path.of("/run/netns", mine.netnsName(stale))), "stale netns removed");
            assertFalse(Files.exists(mine.runDirectory(stale)), "stale run directory removed");
            assertFalse(Files.exists(disks.resolve(stale)), "stale disk directory removed");
            Waits.until("the stale pod's process killed", Duration.ofSeconds(10), () -> !sleepers.get(0).isAlive());
            for (String uid : List.of(known, pending)) {
                assertTrue(mine.cgroup(uid).exists() && Files.exists(Path.of("/run/netns", mine.netnsName(uid)))
                        && Files.isDirectory(mine.runDirectory(uid)) && Files.isDirectory(disks.resolve(uid)), uid + " kept");
            }
            assertTrue(sleepers.get(1).isAlive() && sleepers.get(2).isAlive(), "known pods' processes left alone");
            assertTrue(other.cgroup(stale).exists() && Files.exists(Path.of("/run/netns", other.netnsName(stale)))
                    && Files.isDirectory(other.runDirectory(stale)) && sleepers.get(3).isAlive(), "another instance's are untouched");
            assertEquals(4, removed.size(), String.valueOf(removed));
        } finally {
            for (Process p : sleepers) {
                p.destroyForcibly().waitFor();
            }
            for (HostScope s : List.of(mine, other)) {
                for (String uid : List.of(stale, known, pending)) {
                    s.cgroup(uid).removeWhenEmpty(Duration.ofSeconds(10));
                    new NetworkNamespace(s.netnsName(uid)).delete();
                    PodRunner.deleteTree(s.runDirectory(uid));
                }
            }
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A netns, a cgroup with a sleeping process, a run directory and (with {@code disks}) a disk directory of pod {@code uid}. */
    private static void leftovers(HostScope scope, String uid, Path disks, List<Process> sleepers) throws Exception {
        new NetworkNamespace(scope.netnsName(uid)).create();
        PodCgroup cgroup = scope.cgroup(uid);
        cgroup.create(new CgroupLimits(64L << 20, 0, CgroupLimits.DEFAULT_PIDS_MAX));
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        cgroup.join(sleeper.pid());
        sleepers.add(sleeper);
        Waits.until("sleeper in " + cgroup.path(), Duration.ofSeconds(10), () -> {
            try {
                return cgroup.pids().contains(sleeper.pid());
            } catch (java.io.IOException e) {
                return false;
            }
        });
        Files.createDirectories(scope.runDirectory(uid));
        Files.writeString(scope.runDirectory(uid).resolve("serial.log"), "old guest output");
        if (disks != null) {
            Files.createDirectories(disks.resolve(uid));
        }
    }
}
