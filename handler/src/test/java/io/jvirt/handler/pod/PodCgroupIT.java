package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The kernel's side of {@link PodCgroup}: on the host's own hierarchy ({@link CgroupHierarchy#host()}, cgroup v1 on
 * this machine) a process joins, is limited, listed and killed, and the cgroup goes; on a hybrid host's unified
 * hierarchy (cgroup v2 without controllers, {@code /sys/fs/cgroup/unified} here) the same minus the limits, and a
 * limit it cannot enforce is refused. Names {@code cgroupit-<hex>}: no agent's sweep takes them for its own.
 */
class PodCgroupIT {
    private static String name() {
        return "cgroupit-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    @Test
    void onTheHostsHierarchyAProcessJoinsIsLimitedListedAndKilledThenTheCgroupGoes() throws Exception {
        CgroupHierarchy host = CgroupHierarchy.host();
        String name = name();
        PodCgroup cgroup = host.cgroup(name);
        CgroupLimits limits = new CgroupLimits(96L << 20, 300, 64);
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            cgroup.create(limits);
            assertEquals(limits, cgroup.limits(), "as the kernel reads them back");
            cgroup.join(sleeper.pid());
            assertEquals(List.of(sleeper.pid()), cgroup.pids());
            String inProc = Files.readString(Path.of("/proc/" + sleeper.pid() + "/cgroup"));
            if (host instanceof CgroupHierarchy.V1 v1) {
                for (String controller : List.of("memory", "cpu", "pids")) {
                    assertTrue(java.util.regex.Pattern.compile("(?m)^\\d+:([^:]*,)?" + controller + "(,[^:]*)?:/jvirt/" + name + "$").matcher(inProc).find(),
                            controller + ": " + inProc);
                }
                assertEquals("30000", Files.readString(v1.cpu().resolve("jvirt/" + name + "/cpu.cfs_quota_us")).strip(), "300m of 100 ms");
            } else {
                assertTrue(inProc.contains("0::/jvirt/" + name + "\n"), inProc);
            }
            assertEquals(List.of(name), host.names(name));
            assertFalse(cgroup.remove(), "not while the process is in it");
            cgroup.killAll();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "killed");
            cgroup.removeWhenEmpty(Duration.ofSeconds(10));
            assertFalse(cgroup.exists());
            assertEquals(List.of(), host.names(name));
        } finally {
            sleeper.destroyForcibly().waitFor();
            cgroup.removeWhenEmpty(Duration.ofSeconds(10));
        }
    }

    @Test
    void onTheUnifiedHierarchyOfAHybridHostV2RunsForRealWithoutLimits() throws Exception {
        String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        Assumptions.assumeTrue(CgroupHierarchy.host() instanceof CgroupHierarchy.V1 && mountinfo.contains(" /sys/fs/cgroup/unified ")
                && mountinfo.contains(" - cgroup2 "), "a hybrid host (this machine is one): the v2 case is the test above elsewhere");
        Path unified = Path.of("/sys/fs/cgroup/unified");
        PodCgroup cgroup = new CgroupHierarchy.V2(unified).cgroup(name());
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            IOException refused = assertThrows(IOException.class, () -> cgroup.create(new CgroupLimits(64L << 20, 0, 0)));
            assertTrue(refused.getMessage().contains("[memory]"), refused.getMessage());
            cgroup.create(CgroupLimits.NONE);
            assertTrue(Files.exists(cgroup.path().resolve("cgroup.kill")), "the kernel made the interface files");
            cgroup.join(sleeper.pid());
            assertEquals(List.of(sleeper.pid()), cgroup.pids());
            assertTrue(Files.readString(Path.of("/proc/" + sleeper.pid() + "/cgroup")).contains("0::/jvirt/" + cgroup.path().getFileName() + "\n"));
            cgroup.killAll(); // cgroup.kill
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "killed");
            cgroup.removeWhenEmpty(Duration.ofSeconds(10));
            assertFalse(cgroup.exists());
        } finally {
            sleeper.destroyForcibly().waitFor();
            cgroup.removeWhenEmpty(Duration.ofSeconds(10));
        }
    }
}
