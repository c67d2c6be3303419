package io.jvirt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ./jvirt up} as it starts: a start that fails (the API port taken, a store that cannot open) exits
 * non-zero with the reason as soon as the control plane gave up, and leaves no process of the instance;
 * a start that works leaves the private files 0600 in 0700 directories, also those of an older install.
 */
class StartupIT {

    /** What breaks the start, prepared in the instance's home before {@code up}; closed after. */
    interface Breakage {
        AutoCloseable prepare(JvirtUp jvirt) throws Exception;
    }

    static Stream<Arguments> breakages() {
        return Stream.of(
                Arguments.of("the API port is in use", (Breakage) jvirt -> new ServerSocket(jvirt.port(), 1, InetAddress.getLoopbackAddress()),
                        "Address already in use"),
                Arguments.of("a directory where the store's database should be", (Breakage) jvirt -> {
                    Files.createDirectories(jvirt.home().resolve("store/objects.db"));
                    return () -> { };
                }, "cannot open store database"),
                Arguments.of("a corrupt store database", (Breakage) jvirt -> {
                    Files.createDirectories(jvirt.home().resolve("store"));
                    Files.writeString(jvirt.home().resolve("store/objects.db"), "not a database\n".repeat(1000));
                    return () -> { };
                }, "not a database"),
                // fails after the API server, the clients and the controllers run: their threads kept the JVM before
                Arguments.of("a bad node agent setting", (Breakage) jvirt -> {
                    Files.writeString(jvirt.home().resolve("config.properties"), "maxPods=many\n");
                    return () -> { };
                }, "invalid node agent setting in %s/config.properties: For input string: \"many\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakages")
    void aFailedUpExitsWithTheReasonAndLeavesNothingRunning(String name, Breakage breakage, String reason) throws Exception {
        try (JvirtUp jvirt = JvirtUp.inFreshHome(); AutoCloseable broken = breakage.prepare(jvirt)) {
            JvirtUp.Result up = jvirt.jvirt("up");
            assertNotEquals(0, up.exit(), up.out());
            assertTrue(up.out().contains("jvirt: failed to start: "), "the control plane's own reason, not a timeout: " + up.out());
            assertTrue(up.out().contains(reason.formatted(jvirt.home())), "the reason names the cause: " + up.out());
            assertFalse(up.out().contains("not ready after"), up.out());
            assertEquals(List.of(), jvirt.processes(), "no process of this instance stays");
            assertFalse(Files.exists(jvirt.home().resolve("jvirt.pid")));
            assertTrue(jvirt.jvirt("status").out().contains("not running"));
        }
    }

    @Test
    void privateFilesAre0600InDirectories0700AlsoThoseOfAnOlderInstall() throws Exception {
        try (JvirtUp jvirt = JvirtUp.inFreshHome()) {
            Path home = jvirt.home();
            for (String dir : List.of("store", "logs", "pki")) {
                Files.createDirectories(home.resolve(dir));
                Files.setPosixFilePermissions(home.resolve(dir), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.writeString(home.resolve("config.properties"), "# an older install's settings\n");
            Files.writeString(home.resolve("logs/jvirt.log"), "an older log\n");
            for (String file : List.of("config.properties", "logs/jvirt.log")) {
                Files.setPosixFilePermissions(home.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
            }

            jvirt.up();
            List<String> wrong = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            for (String dir : List.of("store", "logs", "pki", "components")) {
                try (Stream<Path> tree = Files.walk(home.resolve(dir))) {
                    for (Path p : (Iterable<Path>) tree::iterator) {
                        String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
                        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                        seen.add(home.relativize(p).toString());
                        if (!mode.equals(expected)) {
                            wrong.add(home.relativize(p) + " " + mode);
                        }
                    }
                }
            }
            for (String file : List.of("tokens.csv", "kubeconfig", "config.properties")) {
                seen.add(file);
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(file)));
                if (!mode.equals("rw-------")) {
                    wrong.add(file + " " + mode);
                }
            }
            assertTrue(seen.containsAll(List.of("store/objects.db", "store/objects.db-wal", "store/objects.db-shm",
                    "pki/ca.key", "pki/server.key", "logs/jvirt.log")), "the files the test is about exist: " + seen);
            assertEquals(List.of(), wrong, "files and directories with other modes");
        }
    }
}
