package io.jvirt.handler.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProcStatsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "plain name      | 4242 (qemu-system-x86) S 1 4242 4242 0 -1 4194560 5 0 0 0 250 75 0 0 20 0 4 0 100 | 2.5  | 0.75",
            "spaces, parens  | 7 (CPU 0/TCG) (x)) R 1 7 7 0 -1 0 0 0 0 0 1234 1 0 0 20 0 1 0 9               | 12.34 | 0.01",
            "zero            | 9 (a) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9                              | 0    | 0",
    })
    void readsUtimeAndStimeAfterTheCommandName(String name, String line, double user, double system) {
        ProcStats.CpuTime t = ProcStats.parseStat(line);
        assertEquals(user, t.userSeconds(), 1e-9);
        assertEquals(system, t.systemSeconds(), 1e-9);
    }

    @Test
    void readsALiveProcessAndItsThreadsAndNothingOfAGoneOne() {
        ProcStats proc = new ProcStats(Path.of("/proc"));
        long self = ProcessHandle.current().pid();
        assertTrue(proc.process(self).orElseThrow().totalSeconds() > 0, "this JVM has used CPU");
        assertTrue(proc.residentBytes(self).orElseThrow() > 1 << 20, "this JVM is resident");
        assertTrue(proc.thread(self, self).isPresent(), "the main thread's task");
        assertTrue(proc.process(Long.MAX_VALUE).isEmpty());
        assertTrue(proc.residentBytes(Long.MAX_VALUE).isEmpty());
    }
}
