package io.jvirt.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Children started by {@link FdSpawn}: reaped with their exit status, no signal of the JVM's blocked, a descriptor handed over. */
class FdSpawnTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "exit 0        | 0",
        "exit 7        | 7",
        "kill -9 $$    | 137",
        "kill -TERM $$ | 143",
    })
    void theExitStatusIsReaped(String script, int status) throws Exception {
        FdSpawn.Child child = FdSpawn.start(List.of("sh", "-c", script), Map.of("PATH", "/usr/bin:/bin"), tmp.resolve("log"), Map.of());
        assertEquals(status, child.exit().get(30, TimeUnit.SECONDS));
        assertTrue(!Files.exists(Path.of("/proc", Long.toString(child.pid()))), "reaped: no zombie left");
    }

    @Test
    void theChildBlocksNoSignalAndGetsTheDescriptorAtItsNumber() throws Exception {
        Path file = tmp.resolve("handed");
        Files.writeString(file, "through descriptor 3\n");
        try (RandomAccessFile handed = new RandomAccessFile(file.toFile(), "r")) {
            int fd = descriptor(handed);
            FdSpawn.Child child = FdSpawn.start(List.of("sh", "-c", "grep SigBlk /proc/self/status; cat <&3"), Map.of("PATH", "/usr/bin:/bin"),
                    tmp.resolve("log"), Map.of(3, fd));
            assertEquals(0, child.exit().get(30, TimeUnit.SECONDS));
        }
        String log = Files.readString(tmp.resolve("log"));
        assertTrue(log.contains("SigBlk:\t0000000000000000"), "no signal blocked in the child: " + log);
        assertTrue(log.contains("through descriptor 3"), log);
    }

    /** The descriptor number of this JVM's open file {@code handed} (Java does not tell it: found in /proc/self/fd). */
    private static int descriptor(RandomAccessFile handed) throws Exception {
        for (Path fd : Files.list(Path.of("/proc/self/fd")).toList()) {
            try {
                if (Files.readSymbolicLink(fd).toString().endsWith("/handed")) return Integer.parseInt(fd.getFileName().toString());
            } catch (java.io.IOException gone) {
                // the listing's own descriptor
            }
        }
        throw new AssertionError("no descriptor of " + handed);
    }
}
