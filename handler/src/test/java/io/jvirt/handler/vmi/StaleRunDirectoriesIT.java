package io.jvirt.handler.vmi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.handler.pod.MemoryCgroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** At agent start, run directories of pods that run nowhere go; those of a pod with a live process stay. */
class StaleRunDirectoriesIT {
    @Test
    void onlyRunDirectoriesOfPodsWithoutProcessesAreRemoved() throws Exception {
        String stale = UUID.randomUUID().toString();
        String live = UUID.randomUUID().toString();
        Path staleDir = Files.createDirectories(VmiAgent.runDirectory(stale));
        Files.writeString(staleDir.resolve("serial.log"), "old guest output");
        Path liveDir = Files.createDirectories(VmiAgent.runDirectory(live));
        MemoryCgroup cgroup = MemoryCgroup.forPod(live);
        cgroup.create(64L << 20);
        Process sleeper = new ProcessBuilder("sh", "-c", "echo $$ > " + cgroup.path().resolve("cgroup.procs") + "; exec sleep 60").start();
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            while (cgroup.pids().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(cgroup.pids().isEmpty(), "the sleeper joined the pod's cgroup");
            VmiAgent.removeStaleRunDirectories();
            assertFalse(Files.exists(staleDir), "stale run directory removed");
            assertTrue(Files.isDirectory(liveDir), "a running pod's run directory stays");
        } finally {
            sleeper.destroyForcibly().waitFor();
            Thread.sleep(200);
            cgroup.remove();
            Files.deleteIfExists(liveDir);
        }
    }
}
