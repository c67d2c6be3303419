package io.jvirt.qemu.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Unprivileged} with real processes (the test runs as root, as the controller and the node agent do): what a
 * tool started through its argv is, seen by the kernel, and qemu-img under its info limits.
 */
class UnprivilegedIT {
    @TempDir
    Path dir;

    /** A real process started through the argv reads its own status: that user, no-new-privs, no capability. */
    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"Uid, 107\t107\t107\t107", "Gid, 107\t107\t107\t107", "Groups, ''", "NoNewPrivs, 1", "CapEff, 0000000000000000",
            "CapPrm, 0000000000000000", "CapInh, 0000000000000000", "CapBnd, 0000000000000000", "CapAmb, 0000000000000000"})
    void theToolRunsAsTheUserWithoutPrivileges(String field, String expected) throws Exception {
        Map<String, String> status = run(List.of("/usr/bin/cat", "/proc/self/status")).lines().filter(l -> l.contains(":"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).strip(), (a, b) -> a));
        assertEquals(expected, status.get(field), field);
    }

    /** Its network namespace is its own: only a loopback, and none of the host's interfaces; no variable inherited but
     * the locale and glibc's arena count (which keeps the address-space limit independent of thread timing). */
    @Test
    void theToolHasNoNetworkAndNoEnvironment() throws Exception {
        List<String> interfaces = run(List.of("/usr/bin/cat", "/proc/self/net/dev")).lines().skip(2)
                .map(l -> l.substring(0, l.indexOf(':')).strip()).toList();
        assertEquals(List.of("lo"), interfaces);
        assertTrue(Files.readString(Path.of("/proc/self/net/dev")).lines().count() > 3, "the host has more than a loopback");
        assertEquals(List.of("LC_ALL=C", "MALLOC_ARENA_MAX=1"), run(List.of("/usr/bin/env")).lines().toList());
        assertTrue(!Files.readSymbolicLink(Path.of("/proc/self/ns/net")).equals(Path.of(run(List.of("/usr/bin/readlink", "/proc/self/ns/net")).strip())));
    }

    /**
     * qemu-img info under an address-space limit: a small image passes, one whose metadata caches need more fails
     * naming the limits (the limit is lowered here so a test image can exceed it; production's is CDI's 1 GiB).
     */
    @Test
    void infoBeyondTheLimitsFailsNamingThem() throws Exception {
        Unprivileged.Limits limits = new Unprivileged.Limits(56L << 20, 30);
        QemuImg limited = new QemuImg(QemuImg.QEMU_IMG, java.time.Duration.ofMinutes(1), Unprivileged.QEMU, limits).within(dir);
        Unprivileged.QEMU.giveTo(dir);
        Path small = dir.resolve("small.qcow2");
        Path huge = dir.resolve("huge.qcow2");
        new QemuImg().create(small, ImageFormat.QCOW2, 1L << 30);
        qemuImg("create", "-q", "-f", "qcow2", "-o", "cluster_size=2M", huge.toString(), "8P");
        assertEquals(1L << 30, limited.info(small, ImageFormat.QCOW2).virtualSize());
        QemuImgException e = assertThrows(QemuImgException.class, () -> limited.info(huge, ImageFormat.QCOW2));
        assertEquals("reading the image's metadata needs more than qemu-img's limits of 56 MiB of address space and 30 s of CPU time",
                e.firstError(), e.getMessage());
        assertEquals(List.of("info"), e.argv().subList(1, 2), "the message names qemu-img's own command, not the wrapper: " + e.argv());
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(Unprivileged.QEMU.argv(command, Unprivileged.Limits.IMAGE_INFO)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static void qemuImg(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(QemuImg.QEMU_IMG.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }
}
