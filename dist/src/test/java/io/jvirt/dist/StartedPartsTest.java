package io.jvirt.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartedPartsTest {

    @Test
    void closeStopsInReverseOrderOnceGoingOnPastAFailure() {
        List<String> stopped = new ArrayList<>();
        StartedParts parts = new StartedParts();
        parts.add("store", "s", () -> stopped.add("store"));
        parts.add("server", "a", () -> {
            stopped.add("server");
            throw new IllegalStateException("server did not stop");
        });
        parts.add("agent", "n", () -> stopped.add("agent"));

        parts.close();
        parts.close();

        assertEquals(List.of("agent", "server", "store"), stopped);
    }
}
