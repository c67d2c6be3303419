package io.jvirt.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrivateFilesTest {

    @TempDir
    Path home;

    /** path in an older install, its mode then, its mode after {@link PrivateFiles#secure}. */
    static Stream<Arguments> modes() {
        return Stream.of(
                Arguments.of("store", "rwxr-xr-x", "rwx------"),
                Arguments.of("store/objects.db", "rw-r--r--", "rw-------"),
                Arguments.of("pki", "rwxr-xr-x", "rwx------"),
                Arguments.of("pki/ca.key", "rw-r--r--", "rw-------"),
                Arguments.of("pki/ca.crt", "rw-r--r--", "rw-------"),
                Arguments.of("logs", "rwxrwxrwx", "rwx------"),
                Arguments.of("logs/jvirt.log", "rw-rw-rw-", "rw-------"),
                Arguments.of("components", "rwxr-xr-x", "rwx------"),
                Arguments.of("components/node-agent.kubeconfig", "rw-r--r--", "rw-------"),
                Arguments.of("tokens.csv", "rw-r--r--", "rw-------"),
                Arguments.of("kubeconfig", "rw-r--r--", "rw-------"),
                Arguments.of("config.properties", "rw-r--r--", "rw-------"),
                Arguments.of("node", "rwx--x--x", "rwx--x--x"),
                Arguments.of("apiserver.ready", "rw-r--r--", "rw-r--r--"));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void anOlderInstallIsFixed(String path, String before, String after) throws Exception {
        Path p = home.resolve(path);
        Files.createDirectories(p.getParent());
        if (path.contains(".") || path.equals("kubeconfig")) {
            Files.writeString(p, "x");
        } else {
            Files.createDirectories(p);
        }
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(before));

        PrivateFiles.secure(home);

        assertEquals(after, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    }

    @Test
    void aNewInstallGetsItsPrivateDirectoriesBeforeAnythingIsWrittenIntoThem() throws Exception {
        PrivateFiles.secure(home);
        for (String dir : PrivateFiles.DIRECTORIES) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(dir))), dir);
        }
    }
}
