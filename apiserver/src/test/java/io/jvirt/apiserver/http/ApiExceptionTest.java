package io.jvirt.apiserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.store.StoreException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApiExceptionTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new StoreException.StorageFull("write of 1 change(s) failed: [SQLITE_FULL] (database or disk is full)", null),
                        507, "InsufficientStorage", "storage full, the write was not stored: write of 1 change(s) failed: [SQLITE_FULL] (database or disk is full)"),
                Arguments.of(new StoreException.StorageFailure("write of 1 change(s) failed: [SQLITE_IOERR] disk I/O error", null),
                        500, "InternalError", "write of 1 change(s) failed: [SQLITE_IOERR] disk I/O error"),
                Arguments.of(new IllegalStateException("boom"), 500, "InternalError", "boom"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void anUnexpectedFailureBecomesAStatusNamingItsCause(Throwable failure, int code, String reason, String message) {
        ApiException e = ApiException.unexpected(failure);
        assertEquals(code, e.code());
        assertEquals(reason, e.toStatus().path("reason").asText());
        assertEquals(message, e.toStatus().path("message").asText());
        assertEquals(code, e.toStatus().path("code").asInt());
    }
}
