package io.jvirt.handler.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The log line a failed pod reports: the last one that says something, never a stack frame. */
class PodProcessTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{index}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        starting\\nqemu: could not open disk\\n\\n                                                      | qemu: could not open disk
        Exception in thread "main" java.net.SocketException: Unix domain path too long\\n\\tat a.B.c(B.java:1)\\n\\tat a.B.main(B.java:2) | Exception in thread "main" java.net.SocketException: Unix domain path too long
        java.io.IOException: outer\\n\\tat x.Y.z(Y.java:3)\\nCaused by: java.io.IOException: inner\\n\\tat x.Y.w(Y.java:4)\\n\\t... 3 more | Caused by: java.io.IOException: inner
        """)
    void lastLogLineSkipsBlankLinesAndStackFrames(String log, String expected) throws Exception {
        Files.writeString(dir.resolve(PodProcess.LOG_FILE), log.replace("\\n", "\n").replace("\\t", "\t"));
        assertEquals(Optional.of(expected), PodProcess.lastLogLine(dir));
    }

    @Test
    void noLogNoLine() {
        assertEquals(Optional.empty(), PodProcess.lastLogLine(dir));
    }
}
