package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The log line a failed pod (and a crashed VMI) reports: QEMU's last words, never a blank line or one of the agent's. */
class PodProcessTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{index}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        starting\\nqemu: could not open disk\\n\\n                                                        | qemu: could not open disk
        qemu-system-x86_64: terminating on signal 15\\njvirt-handler: SHUTOFF: killed by request\\n         | qemu-system-x86_64: terminating on signal 15
        jvirt-handler: RUNNING: started\\nqemu: warning: x\\n\\tjvirt-handler: CRASHED: qemu killed\\n | qemu: warning: x
        """)
    void lastProcessLineSkipsBlankLinesAndTheAgentsLines(String log, String expected) throws Exception {
        Files.writeString(dir.resolve(PodProcess.LOG_FILE), log.replace("\\n", "\n").replace("\\t", "\t"));
        assertEquals(Optional.of(expected), PodProcess.lastProcessLine(dir));
    }

    @Test
    void onlyTheAgentsLinesNoLine() throws Exception {
        PodProcess.createPrivate(dir.resolve(PodProcess.LOG_FILE));
        PodProcess.logAgentLine(dir, "RUNNING: started");
        assertEquals("jvirt-handler: RUNNING: started\n", Files.readString(dir.resolve(PodProcess.LOG_FILE)));
        assertEquals(Optional.empty(), PodProcess.lastProcessLine(dir));
    }

    @Test
    void noLogNoLine() {
        assertEquals(Optional.empty(), PodProcess.lastProcessLine(dir));
    }
}
