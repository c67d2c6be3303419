package io.jvirt.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeAgentTest {
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "rwx--x--x, rwx--x--x, null",
        "rwx------, rwx--x--x, outer",
        "rwx--x--x, rwx------, outer/inner",
        "rwxr-xr-x, rwx-----x, null",
    })
    void findsTheFirstAncestorOthersCannotSearch(String outerMode, String innerMode, String blocked) throws Exception {
        Path outer = Files.createTempDirectory("jvirt-nodeagent");
        Path inner = Files.createDirectories(outer.resolve("inner"));
        Path data = Files.createDirectories(inner.resolve("data"));
        try {
            Files.setPosixFilePermissions(outer, PosixFilePermissions.fromString(outerMode));
            Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString(innerMode));
            Path expected = blocked == null ? null : blocked.equals("outer") ? outer : inner;
            assertEquals(expected, NodeAgent.firstClosedAncestor(data));
        } finally {
            Files.delete(data);
            Files.delete(inner);
            Files.delete(outer);
        }
    }
}
