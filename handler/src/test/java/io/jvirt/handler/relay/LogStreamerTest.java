package io.jvirt.handler.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogStreamerTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} tail {1}")
    @CsvSource(delimiter = '|', value = {
            "a\\nb\\nc\\n | -1 | a\\nb\\nc\\n",
            "a\\nb\\nc\\n | 1  | c\\n",
            "a\\nb\\nc\\n | 2  | b\\nc\\n",
            "a\\nb\\nc\\n | 9  | a\\nb\\nc\\n",
            "a\\nb\\nc\\n | 0  | ''",
            "a\\nb\\nc    | 1  | c",
            "a\\nb\\nc    | 2  | b\\nc",
            "''           | 1  | ''",
            "\\n\\n       | 1  | \\n",
    })
    void tailsTheLastLines(String content, int tail, String expected) throws Exception {
        Path log = Files.writeString(dir.resolve("compute.log"), unescape(content));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogStreamer.stream(new PodLogs.LogFile(log, () -> true), tail, false, new ByteArrayInputStream(new byte[0]), out);
        assertEquals(unescape(expected), out.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "follow with tail {0}: a line appended later arrives, the stream ends with the pod")
    @CsvSource({"1", "-1"})
    void followSeesLaterLinesAndEndsWithThePod(int tail) throws Exception {
        Path log = Files.writeString(dir.resolve("compute.log"), "first\n");
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread streamer = Thread.ofVirtual().start(() -> {
            try {
                LogStreamer.stream(new PodLogs.LogFile(log, ended::get), tail, true,
                        new java.io.PipedInputStream(new java.io.PipedOutputStream()), out);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!out.toString(StandardCharsets.UTF_8).equals("first\n") && System.nanoTime() < deadline) Thread.sleep(20);
        Files.writeString(log, "second\n", java.nio.file.StandardOpenOption.APPEND);
        while (!out.toString(StandardCharsets.UTF_8).endsWith("second\n") && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(true, streamer.isAlive(), "follow goes on while the pod runs");
        Files.writeString(log, "last\n", java.nio.file.StandardOpenOption.APPEND);
        ended.set(true);
        streamer.join(10_000);
        assertEquals(false, streamer.isAlive(), "follow ends with the pod");
        assertEquals("first\nsecond\nlast\n", out.toString(StandardCharsets.UTF_8));
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n");
    }
}
