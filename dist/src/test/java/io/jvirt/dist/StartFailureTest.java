package io.jvirt.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StartFailureTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new IOException("cannot listen on 127.0.0.1:6443",
                                new ExecutionException(new BindException("Address already in use"))),
                        "cannot listen on 127.0.0.1:6443: Address already in use"),
                Arguments.of(new IllegalStateException("cannot open store database /h/store/objects.db: [SQLITE_NOTADB] file is not a database",
                                new Exception("[SQLITE_NOTADB] file is not a database")),
                        "cannot open store database /h/store/objects.db: [SQLITE_NOTADB] file is not a database"),
                Arguments.of(new UncheckedIOException(new IOException("No space left on device")), "No space left on device"),
                Arguments.of(new NullPointerException(), "java.lang.NullPointerException"),
                Arguments.of(new OutOfMemoryError("Java heap space"), "Java heap space"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void theReasonJoinsTheCauseChainWithoutRepeats(Throwable failure, String reason) {
        assertEquals(reason, StartFailure.reason(failure));
    }

    @Test
    void reportWritesTheReasonPrivately(@TempDir Path home) throws Exception {
        StartFailure.report(home, new IOException("cannot listen on 127.0.0.1:6443", new BindException("Address already in use")));
        Path file = home.resolve(StartFailure.FILE);
        assertEquals("cannot listen on 127.0.0.1:6443: Address already in use\n", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
}
