package io.jvirt.handler.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostInfoTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "NAME=Debian\\nPRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\" | Debian GNU/Linux 13 (trixie)",
        "PRETTY_NAME='Alpine Linux v3.20'                          | Alpine Linux v3.20",
        "PRETTY_NAME=Plain                                          | Plain",
        "PRETTY_NAME=\"\"                                           | Linux",
        "NAME=NoPretty                                              | Linux",
    })
    void osImageIsThePrettyName(String content, String expected) throws Exception {
        Path f = dir.resolve("os-release");
        Files.writeString(f, content.replace("\\n", "\n") + "\n");
        assertEquals(expected, HostInfo.osImage(f));
    }

    @ParameterizedTest(name = "missing file -> {0}")
    @CsvSource("Linux")
    void missingFileIsLinux(String expected) {
        assertEquals(expected, HostInfo.osImage(dir.resolve("absent")));
    }
}
